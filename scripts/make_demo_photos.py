#!/usr/bin/env python3
"""Draws the demo journal's photos (procedural scenes, no camera, no EXIF).

    python3 scripts/make_demo_photos.py    # needs Pillow; writes into content/

Deterministic: the same script gives the same pictures. Run it only to change
them; the JPEGs are committed so a fresh clone builds without Python.
"""
import math
import os
import random

from PIL import Image, ImageDraw, ImageFilter

W, H = 1200, 800
ROOT = os.path.join(os.path.dirname(__file__), "..", "content", "pyongyang-2017")


def gradient(top, bottom, size=(W, H)):
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(size[1]):
        t = y / (size[1] - 1)
        d.line([(0, y), (size[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    return img


def grain(img, rng, amount=10):
    noise = Image.effect_noise(img.size, amount).convert("RGB")
    return Image.blend(img, noise, 0.06)


def ridge(d, rng, base, amp, color, step=40):
    pts = [(0, H)]
    y = base
    for x in range(0, W + step, step):
        y = base + amp * math.sin(x / 170 + rng.random()) + rng.uniform(-amp / 3, amp / 3)
        pts.append((x, y))
    pts.append((W, H))
    d.polygon(pts, fill=color)


def river_sunrise(rng):
    img = gradient((250, 196, 140), (120, 150, 190))
    d = ImageDraw.Draw(img)
    d.ellipse([760, 250, 880, 370], fill=(255, 236, 200))
    ridge(d, rng, 430, 25, (92, 104, 130))
    for i, x in enumerate(range(60, W, 90)):
        h = rng.randint(60, 210)
        d.rectangle([x, 470 - h, x + 55, 470], fill=(70, 78, 100))
    d.rectangle([0, 470, W, H], fill=(150, 160, 185))
    for y in range(480, H, 14):
        d.line([(rng.randint(0, W // 2), y), (rng.randint(W // 2, W), y)], fill=(235, 205, 170), width=2)
    return img.filter(ImageFilter.GaussianBlur(1.2))


def stadium(rng):
    img = gradient((150, 190, 230), (215, 230, 245))
    d = ImageDraw.Draw(img)
    d.ellipse([-200, 330, W + 200, 1200], fill=(180, 60, 50))
    d.ellipse([-60, 430, W + 60, 1100], fill=(205, 90, 70))
    for r in range(8):
        y = 450 + r * 28
        for x in range(0, W, 9):
            c = rng.choice([(240, 240, 235), (40, 40, 60), (230, 200, 60), (200, 60, 60), (60, 90, 160)])
            d.rectangle([x, y, x + 6, y + 16], fill=c)
    d.ellipse([150, 690, W - 150, 1150], fill=(70, 140, 80))
    d.ellipse([240, 730, W - 240, 1100], fill=(200, 95, 75))
    d.ellipse([300, 760, W - 300, 1080], fill=(80, 155, 90))
    return img.filter(ImageFilter.GaussianBlur(0.8))


def road(rng):
    img = gradient((200, 215, 235), (230, 230, 225))
    d = ImageDraw.Draw(img)
    for x in range(0, W, 70):
        h = rng.randint(150, 380)
        d.rectangle([x, 420 - h, x + 60, 420], fill=rng.choice([(200, 195, 180), (230, 215, 190), (180, 190, 200)]))
        for wy in range(420 - h + 15, 410, 28):
            for wx in (x + 10, x + 34):
                d.rectangle([wx, wy, wx + 14, wy + 14], fill=(120, 140, 170))
    d.polygon([(0, H), (W, H), (700, 420), (500, 420)], fill=(90, 92, 98))
    d.line([(600, 420), (600, H)], fill=(240, 240, 240), width=6)
    for i in range(26):
        t = rng.random() ** 1.6
        y = 430 + t * 360
        x = 500 + (rng.random() - 0.5) * (200 + t * 900)
        s = 6 + t * 34
        c = rng.choice([(220, 60, 60), (40, 90, 190), (250, 200, 40), (30, 30, 30), (240, 240, 240)])
        d.ellipse([x - s / 3, y - s * 2.2, x + s / 3, y - s * 1.6], fill=(230, 190, 160))
        d.rounded_rectangle([x - s / 2, y - s * 1.6, x + s / 2, y], radius=s / 4, fill=c)
    return img.filter(ImageFilter.GaussianBlur(0.9))


def noodles(rng):
    img = gradient((120, 80, 60), (80, 50, 40))
    d = ImageDraw.Draw(img)
    d.ellipse([250, 120, 950, 760], fill=(235, 232, 225))
    d.ellipse([320, 180, 880, 700], fill=(150, 60, 40))
    for _ in range(70):
        x, y = rng.randint(380, 820), rng.randint(240, 640)
        d.arc([x - 60, y - 40, x + 60, y + 40], rng.randint(0, 180), rng.randint(181, 360), fill=(230, 210, 160), width=5)
    d.ellipse([520, 300, 640, 400], fill=(250, 250, 240))
    d.ellipse([555, 330, 605, 375], fill=(245, 180, 40))
    for _ in range(14):
        x, y = rng.randint(380, 800), rng.randint(250, 620)
        d.ellipse([x, y, x + 30, y + 18], fill=(70, 140, 60))
    d.line([(900, 80), (700, 520)], fill=(190, 150, 100), width=14)
    d.line([(960, 100), (740, 540)], fill=(190, 150, 100), width=14)
    return img.filter(ImageFilter.GaussianBlur(1.0))


def train(rng):
    img = gradient((170, 200, 225), (235, 225, 200))
    d = ImageDraw.Draw(img)
    ridge(d, rng, 360, 40, (120, 150, 120))
    ridge(d, rng, 430, 20, (150, 175, 110))
    d.rectangle([0, 560, W, H], fill=(140, 150, 90))
    d.rectangle([0, 600, W, 615], fill=(90, 80, 70))
    for x in range(-20, W, 40):
        d.rectangle([x, 615, x + 16, 630], fill=(110, 90, 70))
    for i, x in enumerate(range(40, W, 300)):
        d.rounded_rectangle([x, 470, x + 280, 600], radius=18, fill=(40, 100, 80) if i % 2 else (45, 110, 88))
        d.rectangle([x, 540, x + 280, 552], fill=(230, 200, 80))
        for wx in range(x + 20, x + 260, 50):
            d.rectangle([wx, 490, wx + 34, 525], fill=(200, 220, 235))
    return img.filter(ImageFilter.GaussianBlur(0.8))


def medal(rng):
    img = gradient((60, 70, 95), (25, 30, 45))
    d = ImageDraw.Draw(img)
    d.polygon([(520, 0), (600, 0), (640, 330), (560, 330)], fill=(200, 40, 50))
    d.polygon([(680, 0), (600, 0), (560, 330), (640, 330)], fill=(40, 80, 170))
    d.ellipse([430, 300, 770, 640], fill=(205, 165, 60))
    d.ellipse([470, 340, 730, 600], fill=(230, 195, 90))
    d.polygon([(600, 380), (625, 450), (700, 450), (640, 495), (662, 565), (600, 522), (538, 565), (560, 495), (500, 450), (575, 450)], fill=(205, 165, 60))
    return img.filter(ImageFilter.GaussianBlur(1.0))


SCENES = {
    "2017-04-09-river-run/river.jpg": river_sunrise,
    "2017-04-13-race-day/stadium.jpg": stadium,
    "2017-04-13-race-day/road.jpg": road,
    "2017-04-13-race-day/medal.jpg": medal,
    "cold-noodles/noodles.jpg": noodles,
    "train-to-the-border.jpg": train,
}

if __name__ == "__main__":
    for i, (path, draw) in enumerate(sorted(SCENES.items())):
        rng = random.Random(i + 2017)
        out = os.path.join(ROOT, path)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        grain(draw(rng), rng).save(out, "JPEG", quality=78, optimize=True, progressive=True)
        print(out, os.path.getsize(out) // 1024, "KB")
