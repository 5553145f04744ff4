"""Live pages: the inbox's notices and the work desks reach open pages within a second, by
server-sent events (`/live/`), whichever web process holds the stream.

- `publish` (services, inside the writing transaction) records what changed as LiveSignal rows
  and, on PostgreSQL, sends a NOTIFY delivered at commit.
- `hub` (one per web process, on its event loop) wakes on that NOTIFY — on SQLite it polls every
  quarter second, one indexed query per process however many pages are open — reads the new
  signals and wakes the streams they concern.
- `views.live_stream` is the stream: it sends the user's notices after the last one the page
  has (the browser's Last-Event-ID, or the page's own), so a page that lost its stream catches up.
"""
