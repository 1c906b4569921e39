//! Post cards, as lists show them: `card.html` rendered once for each post
//! (and each way of showing its day) with its links written from the site
//! root behind a marker, which each list page replaces with its own way to
//! the root. A post is on the home page, its trip's page and each of its
//! tags' pages, so this renders a card once where it would be rendered five
//! or six times.

use std::sync::OnceLock;

use tera::Context;

use super::Inputs;
use super::views::PostCard;
use crate::error::Problem;
use crate::index::PostId;
use crate::url::Linker;

/// Stands for the way from a page to the site root while a card is
/// rendered: a control character, which HTML text cannot hold.
const ROOT: char = '\u{1}';
const ROOT_TEXT: &str = "\u{1}";

/// The cards rendered so far, by post and by whether they show the day.
pub struct Cards {
    rendered: Vec<[OnceLock<String>; 2]>,
}

impl Cards {
    pub fn new(posts: usize) -> Cards {
        Cards { rendered: (0..posts).map(|_| Default::default()).collect() }
    }

    /// The card of post `id` on a page whose way to the site root is `root`.
    pub(super) fn html(
        &self,
        id: PostId,
        show_day: bool,
        root: &str,
        inputs: &Inputs<'_>,
    ) -> Result<String, Problem> {
        let slot = &self.rendered[id.0][usize::from(show_day)];
        let html = match slot.get() {
            Some(html) => html,
            // Two pages may render the same card at once: both get the same text.
            None => {
                let html = render(id, show_day, inputs)?;
                slot.get_or_init(|| html)
            }
        };
        Ok(html.replace(ROOT, root))
    }
}

fn render(id: PostId, show_day: bool, inputs: &Inputs<'_>) -> Result<String, Problem> {
    let mut context = Context::new();
    context.insert("post", &PostCard::new(id, Linker::Rooted(ROOT_TEXT), inputs));
    context.insert("show_day", &show_day);
    context.insert("root", ROOT_TEXT);
    inputs.templates.tera.render("card.html", &context).map_err(|err| inputs.templates.problem(&err))
}
