"""Feed sources: the feed list, HTTP fetching and parsing into `Item`s.

Import from the submodules, so that importing one source (e.g. the corpus) does not pull in httpx:

- `bot.sources.feedlist.load_feeds` — feeds.yaml → `FeedConfig`s
- `bot.sources.fetch.make_http_client`, `bot.sources.fetch.fetch_feed` — HTTP → `FetchResult`
- `bot.sources.parse.parse_feed` — feed bytes → `Item`s (pure)
- `bot.sources.links.canonical_link` — the link form item ids are made from
"""
