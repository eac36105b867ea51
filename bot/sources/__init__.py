"""Feed sources: the feed list, HTTP fetching and parsing into `Item`s.

Import from the submodules, so that importing one source (e.g. the corpus) does not pull in httpx:

- `bot.sources.feedlist.load_feeds` — feeds.yaml → `FeedConfig`s
- `bot.sources.fetch.make_http_client`, `bot.sources.fetch.fetch_feed` — HTTP → `FetchResult`
- `bot.sources.parse.parse_feed` — feed bytes → `Item`s (pure)
- `bot.sources.links.canonical_link` — the link form item ids are made from
- `bot.sources.netguard` — SSRF guard: URL, redirect and resolved-address checks
- `bot.sources.xmlguard.entity_problem` — refuse XML entity declarations before parsing
- `bot.sources.charset.repair_encoding` — fix a wrongly declared feed encoding
- `bot.sources.opml.parse_opml` / `render_opml` — OPML import/export (`feedlist.add_feeds` merges)
"""
