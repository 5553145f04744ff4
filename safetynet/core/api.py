from django.http import HttpRequest
from ninja import Router
from ninja.security import HttpBearer

from safetynet.core.selectors import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["platform"])
