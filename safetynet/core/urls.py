from django.contrib.auth import views as auth_views
from django.urls import path

from safetynet.core import offline_views, password_views, views
from safetynet.core.live.views import live_seen, live_stream

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        password_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("live/", live_stream, name="live_stream"),
    path("live/seen/", live_seen, name="live_seen"),
    # At the root, so that the service worker's scope is the whole site.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("offline/", offline_views.offline, name="offline"),
]
