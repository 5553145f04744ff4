"""The ASGI application, loaded whole before the first request is served.

`safetynet serve` (uvicorn, one worker process per core) and the project's `safetynet/asgi.py`
(for an outside ASGI server) both use it: an app never imports the project package.

Pages and the API are Django's synchronous views, each request run on a thread of its own; the
live stream (`core.live`) is asynchronous, so a thousand open pages hold no thread.
"""

import warnings

from django.core.asgi import get_asgi_application

from safetynet.core.wsgi import load_everything

# Static files (WhiteNoise) and stored documents are file responses, read in a thread as Django
# does for every synchronous view; Django warns about each one under ASGI, which would fill the log.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")


class _Lifespan:
    """Answers the server's lifespan messages, which Django does not: at shutdown the live streams
    are ended at once (the browsers reconnect to a server that is up) rather than holding the
    server's graceful shutdown open until its timeout."""

    def __init__(self, django_application):
        self.django_application = django_application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.django_application(scope, receive, send)
        from safetynet.core.live.hub import hub_close

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                hub_close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def loaded_asgi_application():
    """Django's ASGI application with every app's pages loaded now rather than by the first
    request; long-lived objects (pypinyin's dictionaries, some 300 000) moved out of the garbage
    collector's sight so full collections do not stall requests (see core.wsgi)."""
    application = get_asgi_application()
    load_everything()
    return _Lifespan(application)
