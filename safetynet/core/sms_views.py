"""/sms/: the text messages sent in the user's area, and which notices go by SMS."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from safetynet.core import sms
from safetynet.core.hooks import notice_kinds
from safetynet.core.pages import finished


@login_required
def sms_log(request):
    messages = sms.sms_messages(actor=request.user)
    may_configure = request.user.role in sms.CONFIGURE_ROLES
    error = ""
    if request.method == "POST":
        pairs = set()
        for value in request.POST.getlist("rule"):
            kind, _sep, role = value.partition(":")
            pairs.add((kind, role))
        try:
            count = sms.sms_rules_set(actor=request.user, pairs=pairs)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            return finished(request, request.path, _("%(count)s notice kinds and roles now go by SMS.")
                            % {"count": count})
    rules = sms.sms_rules()
    roles = [(str(r), r.label) for r in sms.RECEIVING_ROLES]
    table = [{"kind": kind.code, "label": kind.label, "unless_seen": kind.sms_unless_seen,
              "cells": [{"value": f"{kind.code}:{role}", "on": (kind.code, role) in rules, "role": role_label}
                        for role, role_label in roles]} for kind in notice_kinds()]
    page = Paginator(messages, 100).get_page(request.GET.get("page"))
    return render(request, "core/sms.html", {"page": page, "table": table, "roles": roles,
                                             "may_configure": may_configure, "error": error})
