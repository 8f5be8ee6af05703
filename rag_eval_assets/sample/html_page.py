"""HTML articles: a main article wrapped in realistic boilerplate, and its markup."""

from __future__ import annotations

import html
import random
import re

from rag_eval_assets.sample.bank_en import PRODUCT_TEXT
from rag_eval_assets.sample.catalog import COMPANY, PRODUCT_NAMES, PRODUCTS
from rag_eval_assets.sample.model import Block, HtmlPage

NAV = ("Products", "Solutions", "Pricing", "Docs", "Blog", "Support", "Sign in")
COOKIE_TEXTS = (
    "We use cookies to improve your experience, analyze traffic and personalize content. You can change your preferences at any time.",
    "This site uses cookies and similar technologies to remember your settings and measure how our pages are used.",
)
COOKIE_BUTTONS = ("Accept all", "Reject non-essential", "Cookie settings")
ADS = (
    ("Cut your archive bill with Cold Archive storage. New accounts get free credits for their first month.", "Start free trial"),
    ("Join the Meridian Cloud Summit: two days of talks, labs and office hours with our engineers.", "Register now"),
    ("Need help migrating? Our partner network moves workloads from any provider with a fixed-price offer.", "Find a partner"),
)
NEWSLETTER = ("Subscribe to our newsletter", "Product news, deep dives and event invitations once a month. No spam.", "Subscribe")
COMMENTERS = ("devops_dan", "cloudwatcher42", "sre-maria", "packetpusher", "byte_bard", "infra_ines", "latency_larry")
COMMENT_DATES = ("2 days ago", "5 days ago", "1 week ago", "3 weeks ago", "1 month ago")
COMMENTS = (
    "Thanks, this finally explains why our nightly jobs were throttled.",
    "Would love a follow-up post with Terraform examples.",
    "We rolled this out last sprint and the migration was painless.",
    "Is there a way to get these limits raised for a single project only?",
    "Great write-up. The troubleshooting section saved me an hour today.",
    "Does this also apply to projects that were created before the last release?",
)
FOOTER = ("About us", "Careers", "Press", "Privacy policy", "Terms of service", "Status", "Contact sales")
COPYRIGHT = f"\u00a9 2024 {COMPANY} Ltd. All rights reserved."
ARTICLE_TITLES = ("What's new in {product} {version}", "A practical guide to {product} {version}",
                  "Running {product} {version} in production", "{product} {version}: lessons from the field")


def main_leaves(blocks: list[Block]) -> list[tuple[str, str]]:
    """Article blocks as (kind, text) leaves; list markers are drawn by the browser, not text."""
    out = []
    for b in blocks:
        if b.kind == "heading":
            out.append((f"h{min(b.level, 3)}", b.text))
        elif b.kind == "item":
            out.append(("li-ol" if b.marker[0].isdigit() else "li-ul", b.text))
        else:
            out.append(("p", b.text))
    return out


def compose_page(rng: random.Random, product: str, lang: str, title: str, article: list[Block]) -> HtmlPage:
    """Wrap the article in header, cookie banner, breadcrumb, sidebar, comments and footer."""
    related = []
    for other in rng.sample([p for p in PRODUCTS if p != product], 4):
        related.append(f"How to {PRODUCT_TEXT[other].procedure[0][0].lower()}{PRODUCT_TEXT[other].procedure[0][1:]} "
                       f"with {PRODUCT_NAMES[other]}")
    ad_text, ad_cta = rng.choice(ADS)
    comments: list[tuple[str, str]] = []
    n_comments = rng.randint(1, 3)
    for who, text in zip(rng.sample(COMMENTERS, n_comments), rng.sample(COMMENTS, n_comments)):
        comments += [("comment-author", who), ("comment-date", rng.choice(COMMENT_DATES)), ("p", text)]
    regions = [
        ("header", [("logo", COMPANY)] + [("nav", n) for n in NAV]),
        ("cookie", [("p", rng.choice(COOKIE_TEXTS))] + [("button", b) for b in COOKIE_BUTTONS]),
        ("breadcrumb", [("crumb", "Blog"), ("crumb", PRODUCT_NAMES[product])]),
        ("main", main_leaves(article)),
        ("aside", [("ad-label", "Advertisement"), ("p", ad_text), ("cta", ad_cta), ("h2", "Related articles")]
         + [("related", t) for t in related]
         + [("h3", NEWSLETTER[0]), ("p", NEWSLETTER[1]), ("button", NEWSLETTER[2])]),
        ("comments", [("h2", f"{n_comments} comment{'s' if n_comments > 1 else ''}")] + comments),
        ("footer", [("footer-link", f) for f in FOOTER] + [("small", COPYRIGHT)]),
    ]
    return HtmlPage(lang=lang, title=title, regions=regions)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_LEAF = {
    "logo": '<a class="logo" href="/">{t}</a>', "nav": '<li><a href="/{s}">{t}</a></li>',
    "button": '<button type="button" class="btn btn-{s}">{t}</button>', "crumb": '<li><a href="/{s}">{t}</a></li>',
    "h1": "<h1>{t}</h1>", "h2": "<h2>{t}</h2>", "h3": "<h3>{t}</h3>", "p": "<p>{t}</p>",
    "li-ul": "<li>{t}</li>", "li-ol": "<li>{t}</li>", "ad-label": '<span class="ad-label">{t}</span>',
    "cta": '<a class="cta" href="/promo/{s}" rel="sponsored">{t}</a>', "related": '<li><a href="/blog/{s}">{t}</a></li>',
    "comment-author": '<p class="comment-author">{t}</p>', "comment-date": '<p class="comment-date">{t}</p>',
    "footer-link": '<li><a href="/{s}">{t}</a></li>', "small": '<p class="copyright"><small>{t}</small></p>',
}
_LISTS = {"nav": "ul", "crumb": "ol", "li-ul": "ul", "li-ol": "ol", "related": "ul", "footer-link": "ul"}
_WRAP = {
    "header": ('<header class="site-header">', "</header>"),
    "cookie": ('<div id="cookie-banner" class="cookie-consent" role="dialog" aria-live="polite">', "</div>"),
    "breadcrumb": ('<nav class="breadcrumb" aria-label="Breadcrumb">', "</nav>"),
    "main": ('<div class="page">\n<main id="content">\n<article class="post">', "</article>\n</main>"),
    "aside": ('<aside class="sidebar">', "</aside>\n</div>"),
    "comments": ('<section class="comments" id="comments">', "</section>"),
    "footer": ('<footer class="site-footer">', "</footer>"),
}


def render_html(page: HtmlPage) -> bytes:
    """Markup of the page: every leaf is its own element, so visible text = leaves in order."""
    out = [
        "<!DOCTYPE html>", f'<html lang="{page.lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(page.title)} | {COMPANY} Blog</title>",
        '<link rel="stylesheet" href="/assets/site.css">',
        "<style>.cookie-consent{position:fixed;bottom:0}.ad-label{font-size:11px}</style>",
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        "gtag('js',0);gtag('config','MC-7781');</script>",
        "</head>", "<body>",
    ]
    for name, leaves in page.regions:
        start, end = _WRAP[name]
        out.append(start)
        open_list = None
        for kind, text in leaves:
            wanted = _LISTS.get(kind)
            if open_list and wanted != open_list:
                out.append(f"</{open_list}>")
                open_list = None
            if wanted and not open_list:
                out.append(f'<{wanted} class="{kind}-list">' if name != "main" else f"<{wanted}>")
                open_list = wanted
            out.append(_LEAF[kind].format(t=html.escape(text, quote=False), s=_slug(text)))
        if open_list:
            out.append(f"</{open_list}>")
        out.append(end)
    out += ['<script src="/assets/app.js" defer></script>', "</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")
