from django.urls import path

from safetynet.core.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("import/", views.user_import, name="user_import"),
    path("import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("import/returned.xlsx", views.user_import_returned, name="user_import_returned"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
]
