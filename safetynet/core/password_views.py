"""The page where users change their own password: Django's, the change made by the service that
records it (core.services.user_set_password), so the user's history says when and by whom."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from safetynet.core.services import user_set_password


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        try:
            user_set_password(user=form.user, password=form.cleaned_data["new_password1"],
                              actor=self.request.user)
        except ValidationError as error:  # the form checked the same rules: only a race gets here
            form.add_error("new_password2", error.message_dict.get("password", error.messages))
            return self.form_invalid(form)
        update_session_auth_hash(self.request, form.user)  # the user stays logged in
        return HttpResponseRedirect(self.get_success_url())
