"""Text messages: some notices also go out by SMS, as configured per kind of notice and role of
the receiver (SmsRule, on the SMS page), through a pluggable gateway.

The gateway is the class named by SAFETYNET_SMS_GATEWAY: an object with `send(phone, text) -> str`
(the gateway's reference for the message) that raises SmsError when the message was not accepted.
The default, `LogGateway`, sends nothing: the messages are only listed on the SMS page, which is
what the demo and a bureau without a gateway contract need. A real gateway (a carrier's HTTP
interface, a government SMS platform) is one small class in a module of the bureau's own.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from safetynet.core.models import ChangeRecord, Notice, Role, SmsMessage, SmsRule, User
from safetynet.core.services import change_record

SMS_LANGUAGE = "zh-hans"  # phones get Chinese, whatever language the receiver's pages are in
MAX_LENGTH = 500
# A notice whose text message is only the fallback (NoticeKind.sms_unless_seen) is given this long
# to reach an open page (it takes under a second) before the message goes out.
UNSEEN_AFTER = datetime.timedelta(seconds=15)


class SmsError(Exception):
    """The gateway did not accept the message; the words say why."""


class LogGateway:
    """Sends nothing: each message is marked sent and shown on the SMS page."""

    def send(self, phone: str, text: str) -> str:
        return "log"


def gateway():
    return import_string(getattr(settings, "SAFETYNET_SMS_GATEWAY", "safetynet.core.sms.LogGateway"))()


def sms_queue(notices: list[Notice]) -> int:
    """Queue a text message for each notice whose kind and receiver's role are configured to go by
    SMS; sent by a background task after the caller's transaction commits. How many were queued."""
    if not notices:
        return 0
    rules = set(SmsRule.objects.values_list("kind", "role"))
    if not rules:
        return 0
    from safetynet.core.hooks import notice_kind, notice_words

    users = {u.pk: u for u in User.objects.filter(pk__in={n.user_id for n in notices}, is_active=True)}
    messages = []
    with translation.override(SMS_LANGUAGE):
        for notice in notices:
            user = users.get(notice.user_id)
            if user is None or (notice.kind, user.role) not in rules:
                continue
            kind = notice_kind(notice.kind)
            messages.append(SmsMessage(
                at=notice.at, user=user, phone=user.phone, notice=notice, division_id=user.division_id,
                text=notice_words(notice)[:MAX_LENGTH],
                due_at=notice.at + UNSEEN_AFTER if kind and kind.sms_unless_seen else None,
                status=SmsMessage.Status.QUEUED if user.phone else SmsMessage.Status.NO_PHONE))
    SmsMessage.objects.bulk_create(messages, batch_size=500)
    queued = [m for m in messages if m.status == SmsMessage.Status.QUEUED]
    if any(m.due_at is None for m in queued):
        transaction.on_commit(sms_send.enqueue)
    later = max((m.due_at for m in queued if m.due_at is not None), default=None)
    if later is not None and sms_send.get_backend().supports_defer:
        # A second run once the fallback messages are due (a second after, so they are); without a
        # backend that can wait, the recurring job sends them.
        run_after = later + datetime.timedelta(seconds=1)
        transaction.on_commit(lambda: sms_send.using(run_after=run_after).enqueue())
    return len(messages)


def sms_send_queued(now=None) -> str:
    """Send every queued message that is due through the gateway; each is marked sent or failed
    with the gateway's words — or, a fallback message whose notice an open page showed meanwhile,
    marked seen and not sent. A message is claimed before it is sent, so two workers never send it
    twice."""
    # The recurring job passes its slot's time: a message fallen due since then is due as well.
    now = max(now, timezone.now()) if now else timezone.now()
    sender = gateway()
    sent = failed = 0
    due = Q(due_at__isnull=True) | Q(due_at__lte=now)
    for pk in list(SmsMessage.objects.filter(due, status=SmsMessage.Status.QUEUED).order_by("pk")
                   .values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            message = (SmsMessage.objects.select_for_update(skip_locked=True)
                       .filter(pk=pk, status=SmsMessage.Status.QUEUED).first())
            if message is None:
                continue
            if message.due_at is not None and Notice.objects.filter(
                    Q(delivered_at__isnull=False) | Q(read_at__isnull=False), pk=message.notice_id).exists():
                message.status = SmsMessage.Status.SEEN
                message.save(update_fields=["status"])
                continue
            try:
                message.gateway_reference = str(sender.send(message.phone, message.text))[:100]
                message.status, message.sent_at = SmsMessage.Status.SENT, timezone.now()
                sent += 1
            except SmsError as error:
                message.status, message.error = SmsMessage.Status.FAILED, str(error)[:300]
                failed += 1
            message.save(update_fields=["status", "sent_at", "gateway_reference", "error"])
    return _("%(sent)s text messages sent, %(failed)s failed.") % {"sent": sent, "failed": failed}


@task()
def sms_send() -> None:
    """The background task queued when messages are: send them now."""
    sms_send_queued()


# --- who reads and configures ----------------------------------------------------------------------

# The offices that read the messages sent in their area; the city bureau and the operator also
# choose which notices go by SMS.
READ_ROLES = {Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.OPERATOR}
CONFIGURE_ROLES = {Role.CITY_BUREAU, Role.OPERATOR}
# Roles that receive notices at all (the operator and auditors have no inbox).
RECEIVING_ROLES = [r for r in Role if r not in {Role.OPERATOR, Role.AUDITOR}]


def may_read_sms(user) -> bool:
    return user.role in READ_ROLES


def sms_messages(*, actor) -> QuerySet[SmsMessage]:
    if not may_read_sms(actor):
        raise PermissionDenied(_("Your role does not read the text message log."))
    messages = SmsMessage.objects.select_related("user")
    if actor.role == Role.OPERATOR:
        return messages
    from safetynet.core.scope import area_q

    return messages.filter(area_q(actor, "division__code"))


def sms_rules_set(*, actor, pairs: set[tuple[str, str]]) -> int:
    """Replace the SMS rules with `pairs` of (kind of notice, role); how many rules there are now."""
    from safetynet.core.hooks import notice_kinds

    if actor.role not in CONFIGURE_ROLES:
        raise PermissionDenied(_("Only the city bureau or the operator chooses which notices go by SMS."))
    kinds = {kind.code for kind in notice_kinds()}
    roles = {str(r) for r in RECEIVING_ROLES}
    if any(kind not in kinds or role not in roles for kind, role in pairs):
        raise ValidationError(_("Choose kinds of notice and roles from the table."))
    with transaction.atomic():
        existing = {(rule.kind, rule.role): rule for rule in SmsRule.objects.select_for_update()}
        # Each rule added or removed is a line of the change history: who chose that a kind of
        # notice goes (or no longer goes) by SMS to a role, and when.
        for pair in sorted(existing.keys() - pairs):
            rule = existing[pair]
            number = rule.pk
            rule.delete()
            rule.pk = number  # the history names the rule that was
            change_record(actor=actor, subject=rule, entity=rule, action=ChangeRecord.Action.DELETE,
                          before={"kind": rule.kind, "role": rule.role})
        for kind, role in sorted(pairs - existing.keys()):
            rule = SmsRule.objects.create(kind=kind, role=role)
            change_record(actor=actor, subject=rule, entity=rule, action=ChangeRecord.Action.CREATE,
                          after={"kind": kind, "role": role})
    return len(pairs)


def sms_rules() -> set[tuple[str, str]]:
    return set(SmsRule.objects.values_list("kind", "role"))
