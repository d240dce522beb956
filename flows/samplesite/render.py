"""HTML pages and feed documents for the sample site. Pure functions of the site data.

Article pages carry the clutter of real news sites around the `<article>` element:
navigation, a cookie banner, an ad slot, a newsletter box, "Most read" links,
reader comments, a footer and analytics scripts. None of it repeats article text.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

from flows.samplesite.stories import byline
from flows.samplesite.texts import (
    COMMENTERS,
    COMMENTS,
    COOKIE_TEXT,
    FOOTER_LINKS,
    NAV_SECTIONS,
    NEWSLETTERS,
    SPONSORED,
    long_date,
)

if TYPE_CHECKING:
    from flows.samplesite.model import Feed, Outlet, Page, SampleSite

#: Media type of each feed format (without the charset parameter).
FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
    "malformed": "application/rss+xml",
}
TOP_TRACKING = "utm_source=rss&utm_medium=feed&utm_campaign=top"


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _t(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)


def entry_url(feed: Feed, page: Page, base_url: str) -> str:
    """A page's link in a feed: absolute, with tracking parameters if the feed adds them."""
    url = base_url + page.path
    if not feed.links_with_tracking:
        return url
    if feed.outlet == "top":
        return f"{url}?{TOP_TRACKING}"
    return f"{url}?utm_source=rss&utm_medium=feed&fbclid=IwAR{_digest(page.path).hex()[:20]}"


# -- HTML ------------------------------------------------------------------------------


def _head(title: str, outlet: Outlet, base_url: str, extra: list[str]) -> list[str]:
    index = _digest(outlet.slug)[0] % 90 + 10
    return [
        "<!DOCTYPE html>",
        f'<html lang="{outlet.language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(title)}</title>",
        *extra,
        f'<link rel="alternate" type="{FEED_TYPES[outlet.feed_format]}" '
        f'title="{_a(outlet.name)}" href="{_a(base_url + outlet.feed_path)}">',
        f"<style>body{{font-family:Georgia,serif;margin:0}}.site-header{{background:#{index}3a5f}}"
        ".cookie-banner{position:fixed;bottom:0}.ad-slot{min-height:250px}</style>",
        f'<script async src="/static/analytics.js?id=G-{outlet.slug.upper()}{index}"></script>',
        "<script>window.dataLayer = window.dataLayer || [];"
        "function gtag(){dataLayer.push(arguments);}"
        f"gtag('js', new Date()); gtag('config', 'G-{outlet.slug.upper()}{index}');</script>",
        "</head>",
    ]


def _header(outlet: Outlet, position: int) -> list[str]:
    sections = NAV_SECTIONS[position % 3 :] + NAV_SECTIONS[: position % 3]
    items = "".join(
        f'<li><a href="/{outlet.slug}/section/{s.lower()}/">{s}</a></li>' for s in sections
    )
    return [
        f'<div id="cookie-consent" class="cookie-banner" role="dialog"><p>{_t(COOKIE_TEXT)}</p>'
        '<button type="button">Accept all</button> '
        '<button type="button">Manage preferences</button></div>',
        f'<header class="site-header"><a class="logo" href="/{outlet.slug}/">{_t(outlet.name)}</a>',
        f'<nav class="main-nav" aria-label="Sections"><ul><li><a href="/{outlet.slug}/">Home</a>'
        f"</li>{items}</ul></nav>",
        '<form class="search" action="/search" role="search"><input type="search" name="q" '
        'placeholder="Search"></form></header>',
    ]


def _footer(outlet: Outlet) -> list[str]:
    links = "".join(
        f'<li><a href="/{outlet.slug}/{link.lower().replace(" ", "-")}">{link}</a></li>'
        for link in FOOTER_LINKS
    )
    return [
        f'<footer class="site-footer"><p>&copy; 2026 {_t(outlet.name)}. All rights reserved.</p>',
        f'<ul class="footer-links">{links}</ul></footer>',
        "<script>(function(){var s=document.createElement('script');s.src='/static/consent.js';"
        "document.body.appendChild(s);})();</script>",
        "</body>",
        "</html>",
    ]


def _position(site: SampleSite, outlet: Outlet) -> int:
    return site.outlets.index(outlet)


def _sidebar(site: SampleSite, page: Page, outlet: Outlet, base_url: str) -> list[str]:
    position = _position(site, outlet)
    digest = _digest(page.path)
    faults = set(site.fault_paths.values())
    others = [
        p for p in site.outlet_pages(outlet.slug) if p.path != page.path and p.path not in faults
    ]
    start = digest[0] % len(others) if others else 0
    popular = (others[start:] + others[:start])[:5]
    most_read = "".join(f'<li><a href="{_a(p.path)}">{_t(p.title)}</a></li>' for p in popular)
    newsletter = NEWSLETTERS[position % len(NEWSLETTERS)]
    blocks = [
        f'<aside class="ad-slot" aria-label="Advertisement"><p class="ad-label">Advertisement</p>'
        f'<div class="ad" id="ad-mid-{digest[1]}" data-size="300x250">'
        f"{_t(SPONSORED[digest[2] % len(SPONSORED)])}</div></aside>",
        f'<section class="newsletter"><h2>Sign up for {newsletter}</h2><p>The day\'s top '
        f"stories from {_t(outlet.name)}, in your inbox every weekday morning.</p>"
        '<form action="/newsletter" method="post"><input type="email" name="email" '
        'placeholder="Email address"><button type="submit">Sign up</button></form></section>',
        f'<section class="most-read"><h2>Most read</h2><ol>{most_read}</ol></section>',
    ]
    if position % 2:
        blocks.reverse()
    count = 2 + digest[3] % 2
    comments = "".join(
        f'<div class="comment"><p class="comment-author">{COMMENTERS[digest[4 + i] % 10]}</p>'
        f"<p>{_t(COMMENTS[digest[8 + i] % len(COMMENTS)])}</p>"
        '<button type="button">Reply</button></div>'
        for i in range(count)
    )
    return [
        *blocks,
        f'<section id="comments" class="comments"><h2>Comments ({count})</h2>{comments}'
        "<p>Comments are moderated. Please keep the discussion civil.</p></section>",
    ]


def page_html(site: SampleSite, page: Page, base_url: str) -> bytes:
    outlet = site.outlet(page.outlet)
    url = base_url + page.path
    iso = page.published.isoformat()
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "datePublished": iso,
        "author": {"@type": "Person", "name": page.author},
        "publisher": {"@type": "Organization", "name": outlet.name},
        "mainEntityOfPage": url,
    }
    meta = [
        f'<meta name="description" content="{_a(page.summary)}">',
        f'<meta name="author" content="{_a(page.author)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{_a(page.title)}">',
        f'<meta property="og:url" content="{_a(url)}">',
        f'<meta property="og:site_name" content="{_a(outlet.name)}">',
        f'<meta property="article:published_time" content="{iso}">',
        f'<link rel="canonical" href="{_a(url)}">',
        '<script type="application/ld+json">'
        + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        + "</script>",
    ]
    body = "\n".join(f"<p>{_t(p)}</p>" for p in page.paragraphs)
    lines = [
        *_head(f"{page.title} | {outlet.name}", outlet, base_url, meta),
        '<body class="article-page">',
        *_header(outlet, _position(site, outlet)),
        "<main>",
        '<article class="story">',
        f'<h1 class="headline">{_t(page.title)}</h1>',
        f'<p class="byline"><span class="author">{_t(byline(page.author))}</span> '
        f'<time datetime="{iso}">{long_date(page.published)} UTC</time></p>',
        f'<div class="story-body">\n{body}\n</div>',
        "</article>",
        *_sidebar(site, page, outlet, base_url),
        "</main>",
        *_footer(outlet),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def index_html(site: SampleSite, outlet: Outlet, base_url: str) -> bytes:
    items = "\n".join(
        f'<li><a href="{_a(p.path)}">{_t(p.title)}</a> '
        f'<time datetime="{p.published.isoformat()}">{long_date(p.published)}</time>'
        f"<p>{_t(p.summary)}</p></li>"
        for p in site.outlet_pages(outlet.slug)
        if p.kind != "fault"
    )
    meta = [f'<link rel="canonical" href="{_a(base_url + outlet.index_path)}">']
    lines = [
        *_head(f"{outlet.name}: latest news", outlet, base_url, meta),
        '<body class="front-page">',
        *_header(outlet, _position(site, outlet)),
        f'<main><h1>Latest from {_t(outlet.name)}</h1><ul class="stories">\n{items}\n</ul></main>',
        *_footer(outlet),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def home_html(site: SampleSite, base_url: str) -> bytes:
    outlets = "\n".join(
        f'<li><a href="{o.index_path}">{_t(o.name)}</a> (<a href="{o.feed_path}">'
        f"{o.feed_format} feed</a>)</li>"
        for o in site.outlets
    )
    feeds = "\n".join(f'<li><a href="{f.path}">{f.path}</a> ({f.format})</li>' for f in site.feeds)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Sample news site</title></head>\n<body><h1>Sample news site</h1>\n"
        f"<h2>Outlets</h2><ul>\n{outlets}\n</ul>\n<h2>Feeds</h2><ul>\n{feeds}\n</ul>\n"
        "</body>\n</html>\n"
    ).encode()


# -- feeds -----------------------------------------------------------------------------


def _channel(site: SampleSite, feed: Feed, base_url: str) -> tuple[str, str, str]:
    """Title, home page URL and description of a feed."""
    if feed.outlet == "top":
        return "Top Stories", base_url + "/", "The most read stories from every outlet"
    if feed.outlet == "broken":
        return "Breaking Wire", base_url + "/", "Headlines from the regional wire"
    outlet = site.outlet(feed.outlet)
    return outlet.name, base_url + outlet.index_path, f"Latest news from {outlet.name}"


def _entry_id(feed: Feed, page: Page) -> str:
    return f"{feed.outlet}-{_digest(page.path).hex()[:16]}"


def feed_xml(site: SampleSite, feed: Feed, base_url: str) -> bytes:
    title, home, description = _channel(site, feed, base_url)
    self_url = base_url + feed.path
    pages = [site.pages[path] for path in feed.page_paths]
    updated = site.last_modified(feed)
    head = '<?xml version="1.0" encoding="utf-8"?>'
    if feed.format == "malformed":
        # Cut off before the first <item>: a parser finds no entries at all.
        text = (
            f'{head}\n<rss version="2.0">\n<channel>\n<title>{_t(title)}</title>\n'
            f"<link>{_t(home)}</link>\n<description>Headlines from the regional wi"
        )
        return text.encode("utf-8")
    lines = [head]
    if feed.format == "rss":
        lines += [
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">',
            "<channel>",
            f"<title>{_t(title)}</title>",
            f"<link>{_t(home)}</link>",
            f"<description>{_t(description)}</description>",
            "<language>en</language>",
            f"<lastBuildDate>{format_datetime(updated, usegmt=True)}</lastBuildDate>",
            "<ttl>60</ttl>",
            f'<atom:link href="{_a(self_url)}" rel="self" type="application/rss+xml"/>',
        ]
        for page in pages:
            lines += [
                "<item>",
                f"<title>{_t(page.title)}</title>",
                f"<link>{_t(entry_url(feed, page, base_url))}</link>",
                f'<guid isPermaLink="false">{_entry_id(feed, page)}</guid>',
                f"<pubDate>{format_datetime(page.published, usegmt=True)}</pubDate>",
                f"<dc:creator>{_t(page.author)}</dc:creator>",
                f"<description>{_t(page.summary)}</description>",
                "</item>",
            ]
        lines += ["</channel>", "</rss>"]
    elif feed.format == "atom":
        tag = f"tag:{feed.outlet}.sample.invalid,2026:"
        lines += [
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
            f"<title>{_t(title)}</title>",
            f"<subtitle>{_t(description)}</subtitle>",
            f"<id>{tag}feed</id>",
            f"<updated>{updated.isoformat()}</updated>",
            f'<link rel="self" type="application/atom+xml" href="{_a(self_url)}"/>',
            f'<link rel="alternate" type="text/html" href="{_a(home)}"/>',
            f"<author><name>{_t(title)}</name></author>",
        ]
        for page in pages:
            link = entry_url(feed, page, base_url)
            lines += [
                "<entry>",
                f"<title>{_t(page.title)}</title>",
                f'<link rel="alternate" type="text/html" href="{_a(link)}"/>',
                f"<id>{tag}{_entry_id(feed, page)}</id>",
                f"<published>{page.published.isoformat()}</published>",
                f"<updated>{page.published.isoformat()}</updated>",
                f"<author><name>{_t(page.author)}</name></author>",
                f"<summary>{_t(page.summary)}</summary>",
                "</entry>",
            ]
        lines.append("</feed>")
    else:
        links = [entry_url(feed, page, base_url) for page in pages]
        lines += [
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
            f'<channel rdf:about="{_a(self_url)}">',
            f"<title>{_t(title)}</title>",
            f"<link>{_t(home)}</link>",
            f"<description>{_t(description)}</description>",
            f"<dc:date>{updated.isoformat()}</dc:date>",
            "<items><rdf:Seq>",
            *(f'<rdf:li rdf:resource="{_a(link)}"/>' for link in links),
            "</rdf:Seq></items>",
            "</channel>",
        ]
        for page, link in zip(pages, links, strict=True):
            lines += [
                f'<item rdf:about="{_a(link)}">',
                f"<title>{_t(page.title)}</title>",
                f"<link>{_t(link)}</link>",
                f"<description>{_t(page.summary)}</description>",
                f"<dc:date>{page.published.isoformat()}</dc:date>",
                f"<dc:creator>{_t(page.author)}</dc:creator>",
                "</item>",
            ]
        lines.append("</rdf:RDF>")
    return ("\n".join(lines) + "\n").encode("utf-8")
