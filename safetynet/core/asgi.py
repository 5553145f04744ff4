"""The ASGI application, loaded whole before the first request is served.

`safetynet serve` (uvicorn, one worker process per core) and the project's `safetynet/asgi.py`
(for an outside ASGI server) both use it: an app never imports the project package.

Pages and the API are Django's synchronous views. They run on a pool of long-lived threads of the
process (`PAGE_THREADS`), each keeping its database connection from one request to the next; the
live stream (`core.live`) and any other asynchronous view run on the event loop through Django's
own ASGI handler, so a thousand open pages hold no thread.

Why not Django's ASGI handler for every request: it runs each synchronous request on a thread made
for it, hops between that thread and the event loop several times, and opens and closes a database
connection per request: some 5 ms of CPU a page (issue 9: a search cost 22 ms that way, 17 ms
here). What a view sees is the same either way: the same request class (ASGIRequest), the same
middleware, a fresh context (language, URL configuration) per request.
"""

import asyncio
import contextvars
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import iscoroutinefunction
from django.core import signals
from django.core.asgi import get_asgi_application
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db.backends.signals import connection_created
from django.http import FileResponse
from django.urls import Resolver404, resolve, set_script_prefix

from safetynet.core.wsgi import load_everything

# A file response of an asynchronous view would be read in a thread, as Django does; it warns about
# each one under ASGI, which would fill the log. (Static files and documents are read on the page
# threads.)
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

# Threads per process for the synchronous pages. The work is Python holding the interpreter lock, so
# more threads add no speed, and pages waiting their turn in order finish sooner than pages sharing
# the lock (bench/live.py's 50 staff: p95 0.6 s with 4 threads, 1.4 s with 16); a few let a page
# waiting on the database (a write lock held by an import) or a slow export not hold up the others.
PAGE_THREADS = 4
# How long a page thread keeps its database connection when CONN_MAX_AGE does not say (0, the
# default, would open one per request: a millisecond, and SQLite's page cache lost each time).
PAGE_CONNECTION_SECONDS = 600

_page_thread = threading.local()


def _mark_page_thread() -> None:
    _page_thread.keeps_connection = True


def _keep_connection(sender, connection, **kwargs) -> None:
    """A connection opened on a page thread lives on with the thread (Django closes it at the end
    of a request once it is older than `close_at`, or after an error that left it unusable)."""
    if getattr(_page_thread, "keeps_connection", False) and connection.settings_dict.get("CONN_MAX_AGE") == 0:
        connection.close_at = time.monotonic() + PAGE_CONNECTION_SECONDS


connection_created.connect(_keep_connection, dispatch_uid="safetynet.core.asgi.keep_connection")


class _Pages(ASGIHandler):
    """Django's request handling for synchronous views, run whole on a page thread: the ASGI
    request (as Django's ASGI handler makes it), the synchronous middleware chain, the response
    sent back through the event loop."""

    def __init__(self, threads: int = PAGE_THREADS):
        base.BaseHandler.__init__(self)  # not ASGIHandler's: that loads the middleware for async
        self.load_middleware(is_async=False)
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="page", initializer=_mark_page_thread)

    async def __call__(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:  # the client left before sending the whole request
            return
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # a fresh one per request, as sync_to_async gives a view
        try:
            messages = await loop.run_in_executor(self.executor, context.run, self._respond, scope, body_file,
                                                  send, loop)
        finally:
            body_file.close()
        for message in messages:
            await send(message)

    def _respond(self, scope, body_file, send, loop) -> list[dict]:
        """The response to the request, on a page thread: its messages for the event loop to send,
        or none when it has sent them itself (a file, a chunk at a time as the client takes it)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__  # the sender of request_finished
        try:
            start = {"type": "http.response.start", "status": response.status_code,
                     "headers": _headers(response)}
            if not response.streaming:
                return [start, {"type": "http.response.body", "body": response.content, "more_body": False}]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size

            def sent(message) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            sent(start)
            for part in response:
                if part:
                    sent({"type": "http.response.body", "body": part, "more_body": True})
            sent({"type": "http.response.body", "body": b"", "more_body": False})
            return []
        finally:
            response.close()  # request_finished: the connection is kept or closed (see above)


def _headers(response) -> list[tuple[bytes, bytes]]:
    """The response's headers and cookies, as Django's ASGI handler sends them."""
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
    cookies = [(b"Set-Cookie", cookie.OutputString().encode("ascii")) for cookie in response.cookies.values()]
    return headers + cookies


def _is_async_view(path: str) -> bool:
    try:
        return iscoroutinefunction(resolve(path).func)
    except Resolver404:
        return False  # a static file, or the not-found page: the synchronous handler answers


class _Application:
    """Answers the server's lifespan messages, which Django does not: at shutdown the live streams
    are ended at once (the browsers reconnect to a server that is up) rather than holding the
    server's graceful shutdown open until its timeout. Requests go to the page threads, or to
    Django's ASGI handler for an asynchronous view."""

    def __init__(self, django_application):
        self.django_application = django_application
        self.pages = _Pages()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            script_name = get_script_prefix(scope).rstrip("/")
            path = scope["path"].removeprefix(script_name) if script_name else scope["path"]
            if not _is_async_view(path):
                return await self.pages(scope, receive, send)
        if scope["type"] != "lifespan":
            return await self.django_application(scope, receive, send)
        from safetynet.core.live.hub import hub_close

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                hub_close()
                self.pages.executor.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return


def loaded_asgi_application():
    """The application with every app's pages loaded now rather than by the first request;
    long-lived objects (pypinyin's dictionaries, some 300 000) moved out of the garbage collector's
    sight so full collections do not stall requests (see core.wsgi)."""
    application = get_asgi_application()
    pages = _Application(application)
    load_everything()
    return pages
