"""A deterministic sample news site for the demo, the tests and the benchmarks.

`build_site()` writes a small world of fictional news outlets from a seed: article
pages with the clutter of real sites (navigation, cookie banner, ads, comments),
wire stories carried by several outlets (edited, or word for word), related
stories on the same topic, and one feed per outlet in RSS 2.0, Atom 1.0 or RSS 1.0
(RDF), plus an aggregator feed whose links carry tracking parameters. With faults
on, it also holds a page that answers 503 once, a slow page, a feed entry whose page
is missing (404) and a malformed feed. `SiteServer` serves it on loopback::

    site = build_site(outlets=5, articles_per_outlet=8, seed=0)
    with SiteServer(site, host="127.0.0.1", port=0) as server:
        print(server.feed_urls)

`python -m flows.samplesite --port 8765` serves one until Ctrl-C.
"""

from flows.samplesite.content import build_site
from flows.samplesite.model import REFERENCE_TIME, Feed, Outlet, Page, SampleSite
from flows.samplesite.server import RequestRecord, SiteServer

__all__ = [
    "REFERENCE_TIME",
    "Feed",
    "Outlet",
    "Page",
    "RequestRecord",
    "SampleSite",
    "SiteServer",
    "build_site",
]
