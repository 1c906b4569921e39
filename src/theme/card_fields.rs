//! Whether a theme's templates read the fields of the posts a list hands them
//! (`post.title`, `post.href`...) or only each post's rendered `post.card`.
//! When only the card, lists give Tera the card alone: serialising a dozen
//! fields for every post on every list page was a tenth of a build's CPU.
//!
//! The answer errs towards "reads": anything this cannot follow (a whole post
//! passed to a macro or an include, a filter over the list, the whole
//! context) counts as reading the fields, which are then handed as before.

use tera::Tera;
use tera::ast::{Expr, ExprVal, LogicOperator, Node};

/// What a name or path stands for, as far as post cards go.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// A list of cards: `posts` on the home and tag pages, `day.posts`.
    Cards,
    Card,
    /// The days of a trip's page, each with its cards.
    Days,
    Day,
    /// Anything else: a string, a number, a view without cards.
    Other,
}

/// True when a template other than `card.html` may read a field of a list's
/// post other than `card`. `card.html` itself is rendered with every field.
pub(super) fn lists_read_card_fields(tera: &Tera) -> bool {
    tera.templates.iter().any(|(name, template)| name != "card.html" && reads(&template.ast, &mut Vec::new()))
}

/// Whether any of `nodes` reads a card's fields; `scope` holds the loop
/// variables around them, innermost last.
fn reads<'a>(nodes: &'a [Node], scope: &mut Vec<(&'a str, Kind)>) -> bool {
    nodes.iter().any(|node| match node {
        Node::VariableBlock(_, expr) => value_reads(expr, scope),
        Node::Set(_, set) => value_reads(&set.value, scope),
        Node::FilterSection(_, section, _) => {
            section.filter.args.values().any(|arg| value_reads(arg, scope)) || reads(&section.body, scope)
        }
        Node::Block(_, block, _) => reads(&block.body, scope),
        Node::If(branches, _) => {
            branches
                .conditions
                .iter()
                .any(|(_, condition, body)| test_reads(condition, scope) || reads(body, scope))
                || branches.otherwise.as_ref().is_some_and(|(_, body)| reads(body, scope))
        }
        Node::Forloop(_, each, _) => {
            let item = match container(&each.container, scope) {
                Some(item) if each.key.is_none() || item == Kind::Other => item,
                _ => return true,
            };
            if each.empty_body.as_ref().is_some_and(|body| reads(body, scope)) {
                return true;
            }
            scope.push((&each.value, item));
            if let Some(key) = &each.key {
                scope.push((key, Kind::Other));
            }
            let found = reads(&each.body, scope);
            scope.truncate(scope.len() - 1 - usize::from(each.key.is_some()));
            found
        }
        // An included template sees the loop's variables, under names this
        // does not follow into it.
        Node::Include(..) => scope.iter().any(|(_, kind)| *kind != Kind::Other),
        // A macro sees only its arguments, and a card passed whole as one
        // already counts as read where the macro is called.
        Node::MacroDefinition(..) => false,
        Node::Super
        | Node::Text(_)
        | Node::Extends(..)
        | Node::ImportMacro(..)
        | Node::Raw(..)
        | Node::Break(_)
        | Node::Continue(_)
        | Node::Comment(..) => false,
    })
}

/// The kind of the items of a for loop over `expr`, or `None` when looping
/// over it reads card fields (a filter that may sort or map the cards, a
/// loop over one card's fields).
fn container(expr: &Expr, scope: &[(&str, Kind)]) -> Option<Kind> {
    let ExprVal::Ident(path) = &expr.val else {
        return (!value_reads(expr, scope)).then_some(Kind::Other);
    };
    let kind = kind_of(path, scope)?;
    if kind == Kind::Other {
        return (!expr.filters.iter().any(|f| f.args.values().any(|arg| value_reads(arg, scope))))
            .then_some(Kind::Other);
    }
    if !expr.filters.is_empty() {
        return None;
    }
    match kind {
        Kind::Cards => Some(Kind::Card),
        Kind::Days => Some(Kind::Day),
        _ => None,
    }
}

/// Whether an `{% if %}` condition reads card fields. Whether a card or a
/// list is there at all does not depend on its fields.
fn test_reads(expr: &Expr, scope: &[(&str, Kind)]) -> bool {
    match &expr.val {
        ExprVal::Ident(path) if expr.filters.is_empty() => kind_of(path, scope).is_none(),
        ExprVal::Logic(logic) if matches!(logic.operator, LogicOperator::And | LogicOperator::Or) => {
            test_reads(&logic.lhs, scope) || test_reads(&logic.rhs, scope)
        }
        _ => value_reads(expr, scope),
    }
}

/// Whether using `expr` as a value reads card fields: a card or a list of
/// them used whole (printed, passed on, compared, filtered) counts as read,
/// but for the length of a list.
fn value_reads(expr: &Expr, scope: &[(&str, Kind)]) -> bool {
    let filters_read = expr.filters.iter().any(|f| f.args.values().any(|arg| value_reads(arg, scope)));
    filters_read
        || match &expr.val {
            ExprVal::Ident(path) => match kind_of(path, scope) {
                None => true,
                Some(Kind::Other) => false,
                Some(Kind::Cards | Kind::Days) => expr.filters.first().is_none_or(|f| f.name != "length"),
                Some(Kind::Card | Kind::Day) => true,
            },
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => false,
            ExprVal::Math(math) => value_reads(&math.lhs, scope) || value_reads(&math.rhs, scope),
            ExprVal::Logic(logic) => match logic.operator {
                LogicOperator::And | LogicOperator::Or => {
                    test_reads(&logic.lhs, scope) || test_reads(&logic.rhs, scope)
                }
                _ => value_reads(&logic.lhs, scope) || value_reads(&logic.rhs, scope),
            },
            ExprVal::In(within) => value_reads(&within.lhs, scope) || value_reads(&within.rhs, scope),
            ExprVal::Test(test) => {
                kind_of(&test.ident, scope) != Some(Kind::Other)
                    || test.args.iter().any(|a| value_reads(a, scope))
            }
            ExprVal::MacroCall(call) => call.args.values().any(|arg| value_reads(arg, scope)),
            ExprVal::FunctionCall(call) => call.args.values().any(|arg| value_reads(arg, scope)),
            ExprVal::Array(items) => items.iter().any(|item| value_reads(item, scope)),
            ExprVal::StringConcat(concat) => concat.values.iter().any(|part| match part {
                ExprVal::Ident(path) => kind_of(path, scope) != Some(Kind::Other),
                _ => false,
            }),
        }
}

/// What the variable path `path` (`post.card`, `day.posts`, `posts[0]`)
/// stands for, or `None` when it reads a card's field.
fn kind_of(path: &str, scope: &[(&str, Kind)]) -> Option<Kind> {
    let split = path.find(['.', '[']).unwrap_or(path.len());
    let (root, rest) = path.split_at(split);
    let root_kind = match scope.iter().rev().find(|(name, _)| *name == root) {
        Some((_, kind)) => *kind,
        None => match root {
            "posts" => Kind::Cards,
            "days" => Kind::Days,
            // The whole context, as `{{ __tera_context }}` prints it.
            "__tera_context" => return None,
            _ => Kind::Other,
        },
    };
    match (root_kind, rest) {
        (kind, "") => Some(kind),
        (Kind::Other, _) => Some(Kind::Other),
        (Kind::Card, ".card") => Some(Kind::Other),
        (Kind::Day, ".posts") => Some(Kind::Cards),
        (Kind::Day, rest) if !rest.starts_with(".posts") => Some(Kind::Other),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.to_vec()).unwrap();
        tera
    }

    fn reads_fields(template: &str) -> bool {
        lists_read_card_fields(&theme(&[
            ("macros.html", "{% macro show(p) %}{{ p.title }}{% endmacro show %}"),
            ("list.html", template),
        ]))
    }

    #[test]
    fn the_default_theme_reads_only_the_cards() {
        assert!(!lists_read_card_fields(&theme(crate::theme::BUILTIN_TEMPLATES)));
    }

    #[test]
    fn a_list_that_shows_only_each_card_reads_no_field() {
        for template in [
            "{% for post in posts %}{{ post.card | safe }}{% endfor %}",
            "{% if posts %}{% for p in posts %}{{ p.card }}{% endfor %}{% else %}none{% endif %}",
            "{{ posts | length }} posts{% if posts | length > 1 and site.title %}!{% endif %}",
            "{% for day in days %}{{ day.heading }}{% for p in day.posts %}{{ p.card }}{% endfor %}{% endfor %}",
            // The timeline's days are not a trip's: their posts are not cards.
            "{% for day in month.days %}{% for post in day.posts %}{{ post.title }}{% endfor %}{% endfor %}",
            "{% for post in posts %}{{ post.card }}{% endfor %}{% for post in others %}{{ post.title }}{% endfor %}",
            "{% import \"macros.html\" as m %}{{ m::show(p=page) }}{% include \"other.html\" %}",
        ] {
            assert!(!reads_fields(template), "{template}");
        }
    }

    #[test]
    fn a_list_that_reads_a_field_or_hands_a_card_on_reads_the_fields() {
        for template in [
            "{% for post in posts %}{{ post.title }}{% endfor %}",
            "{% for post in posts %}{% if post.cover %}x{% endif %}{% endfor %}",
            "{% for day in days %}{% for p in day.posts %}<a href=\"{{ p.href }}\">{% endfor %}{% endfor %}",
            "{{ posts.0.title }}{{ posts[1].href }}",
            "{{ days.0.posts }}",
            "{% for day in days %}{{ day.posts.0.title }}{% endfor %}",
            "{% import \"macros.html\" as m %}{% for post in posts %}{{ m::show(p=post) }}{% endfor %}",
            "{% for post in posts | sort(attribute=\"title\") %}{{ post.card }}{% endfor %}",
            "{% for key, value in posts %}{{ value }}{% endfor %}",
            "{% for post in posts %}{% for k, v in post %}{{ v }}{% endfor %}{% endfor %}",
            "{% for post in posts %}{% include \"card.html\" %}{% endfor %}",
            "{% for post in posts %}{% set p = post %}{% endfor %}",
            "{% for post in posts %}{% if post is containing(\"title\") %}{% endif %}{% endfor %}",
            "{% for post in posts %}{{ post ~ \"!\" }}{% endfor %}",
            "{{ posts | json_encode }}",
            "{{ __tera_context }}",
        ] {
            assert!(reads_fields(template), "{template}");
        }
    }

    #[test]
    fn card_html_itself_may_read_every_field() {
        let tera = theme(&[
            ("card.html", "{{ post.title }}"),
            ("home.html", "{% for p in posts %}{{ p.card }}{% endfor %}"),
        ]);
        assert!(!lists_read_card_fields(&tera));
    }
}
