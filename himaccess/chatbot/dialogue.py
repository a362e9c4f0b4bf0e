"""What the chatbot says next: one message in, one reply out, the conversation's memory updated.

``respond(conversation, turn)`` reads a message in this order:

1. Empty, over-long or letterless-and-numberless text gets a polite prompt.
2. "cancel" ends whatever was under way.
3. A step under way takes the message first: the mobile number or the
   one-time code of a verification, a detail of a complaint being filed, a
   number for the helpline to call back, or one of the options just offered.
4. A six-digit number typed outside a verification is taken for a one-time
   code sent by mistake: it is not kept, not echoed, and the person is warned.
5. Otherwise the classifier names the intent. Twice not understood in a row,
   and the conversation goes to the helpline.

Acting on one's own case (an application's or a complaint's status, the
explanation of a family member's decision, filing a complaint) needs a
verified conversation: the person types the code sent by SMS to a mobile
number, and the conversation then sees what that number's citizen login sees
(docs/decisions/1102). The request that needed it is carried out once the
code is right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from himaccess.accounts import otp
from himaccess.accounts.authentication import citizen_for_mobile
from himaccess.accounts.models import OtpPurpose, User
from himaccess.audit import log as audit
from himaccess.chatbot import answers, classifier, language, redaction, retrieval, romanisation
from himaccess.chatbot.answers import Reply
from himaccess.chatbot.classifier import Prediction
from himaccess.chatbot.models import Channel, Conversation, Handover
from himaccess.geography.models import District, PostOffice, Tehsil
from himaccess.grievances import actions as grievance_actions
from himaccess.grievances import routing
from himaccess.grievances.models import Category
from himaccess.grievances.models import Channel as ComplaintChannel
from himaccess.lib import text as text_rules
from himaccess.registry import citizen_links
from himaccess.registry.models import Family

MESSAGE_MAX = 1000
MIN_CONFIDENCE = 0.35
MIN_KNOWN = 0.3
MISSES_BEFORE_HANDOVER = 2
ATTEMPTS = 3
# Intents that act on the person's own records: they need a verified conversation.
PERSONAL = frozenset({"track_application", "track_complaint", "explain_decision", "file_complaint"})
_WORDS = re.compile(r"[\w\u0900-\u097f]+")
CANCEL = {
    "cancel", "stop", "quit", "exit", "abort", "रद्द", "रद्द करो", "रहने दो", "छोड़ो", "बंद करो",
    "cancel karo", "rehne do", "rahne do", "chhodo", "band karo", "radd",
}  # fmt: skip
YES = {
    "yes", "y", "yeah", "yep", "sure", "ok", "okay", "correct", "right", "haan", "han", "ha", "ji",
    "ji haan", "haan ji", "theek hai", "thik hai", "sahi", "sahi hai", "हाँ", "हां", "जी", "जी हाँ",
    "हाँ जी", "ठीक है", "सही", "सही है",
}  # fmt: skip
NO = {"no", "n", "nope", "nahi", "nahin", "na", "नहीं", "ना", "nhi", "galat", "गलत", "wrong"}
HOME = {"home", "ghar", "घर", "gharpe", "makaan", "मकान"}
NEW_CODE = {"new code", "resend", "send again", "naya code", "dobara", "फिर से भेजो", "नया कोड", "code again"}


@dataclass
class Turn:
    """One message and who sent it."""

    text: str
    channel: str
    request: HttpRequest | None = None
    # The logged-in person of a web request; None on WhatsApp and for anonymous visitors.
    user: User | None = None
    # WhatsApp: the sender's ten-digit Indian number, if it is one.
    whatsapp_mobile: str = ""
    # WhatsApp: a picture, a voice note or a location instead of text.
    media: bool = False


def understood(prediction: Prediction) -> bool:
    return (
        prediction.confidence >= MIN_CONFIDENCE
        and prediction.known >= MIN_KNOWN
        and prediction.intent != "out_of_scope"
    )


def _plain(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _state(conversation: Conversation) -> dict[str, Any]:
    if not isinstance(conversation.state, dict):
        conversation.state = {}
    return conversation.state


def _reset(conversation: Conversation, *keys: str) -> None:
    state = _state(conversation)
    for key in keys or ("flow", "verify", "member", "complaint", "pending", "options", "handover"):
        state.pop(key, None)


# ------------------------------------------------------------------ entry


@dataclass
class Outcome:
    reply: Reply
    # The classifier's reading, when it was asked (not for the answer to a step under way).
    prediction: Prediction | None
    # The language the message was written in (hi, en, hi-Latn), or the conversation's when it did not tell.
    asked_in: str
    # The reply's: hi, en, or hi-Latn (Hindi in Latin letters, for a question typed that way).
    reply_language: str


def respond(conversation: Conversation, turn: Turn) -> Outcome:
    """The reply to one message, in the language and script of the question (see the module docstring).

    The conversation's ``language`` stays ``hi`` or ``en``: it chooses the
    translations, the SMS and the login's language. A reply to romanised Hindi
    is built in Hindi and then written in Latin letters, its text, suggestions,
    options and facts alike; a message that does not tell ("2", a code) keeps
    the script of the last one that did.
    """
    state = _state(conversation)
    message = text_rules.clean(turn.text or "").strip()
    detected = language.detect(message)
    conversation.language = language.reply_language(detected, conversation.language)
    if detected is not None:
        state["asked_in"] = detected
    asked_in = str(state.get("asked_in") or conversation.language)
    with translation.override(conversation.language):
        reply, prediction = _respond(conversation, turn, message)
    replied_in = conversation.language
    if conversation.language == language.HINDI and asked_in == language.ROMANISED_HINDI:
        reply = _in_latin_letters(reply)
        replied_in = language.ROMANISED_HINDI
    state["suggested"] = reply.suggestions[:10]
    return Outcome(reply, prediction, asked_in, replied_in)


def _in_latin_letters(reply: Reply) -> Reply:
    """The same reply with its Hindi written in Latin letters (``chatbot.romanisation``)."""
    reply.text = romanisation.romanise(reply.text)
    reply.suggestions = [romanisation.romanise(suggestion) for suggestion in reply.suggestions]
    reply.facts = [romanisation.romanise(fact) for fact in reply.facts]
    # The options are remembered as shown, so that the label the person sends back is matched.
    for option in reply.options:
        option["label"] = romanisation.romanise(option["label"])
    return reply


def _respond(conversation: Conversation, turn: Turn, message: str) -> tuple[Reply, Prediction | None]:
    state = _state(conversation)
    if turn.media:
        return Reply(_("I can read only text messages. Please type your question."), "unknown"), None
    if not message:
        return Reply(_("Please type your question."), "unknown", suggestions=answers.starters()), None
    suggested = state.get("suggested") or []
    if message.isdigit() and 1 <= int(message) <= len(suggested) and state.get("flow") != "verify":
        # "2" on WhatsApp (or typed on the web) picks the second suggestion shown with the last reply.
        message = str(suggested[int(message) - 1])
    if len(message) > MESSAGE_MAX:
        return (
            Reply(
                _(
                    "That message is too long for me. Please ask in a sentence or two "
                    "(at most %(limit)d characters)."
                )
                % {"limit": MESSAGE_MAX},
                "unknown",
            ),
            None,
        )
    if _plain(message) in CANCEL:
        _reset(conversation)
        return Reply(
            _("Cancelled. What else can I do for you?"), "unknown", suggestions=answers.starters()
        ), None
    flow = state.get("flow")
    if flow:
        handled = FLOWS[flow](conversation, turn, message)
        if handled is not None:
            return handled, None
    chosen = _chosen_option(conversation, message)
    if chosen is not None:
        return chosen, None
    if redaction.has_code(message):
        return (
            Reply(
                _(
                    "It looks like you typed a one-time code. Never share a code with anyone, not even "
                    "with us, unless I have just asked for it. I have not kept it."
                ),
                "unknown",
            ),
            None,
        )
    prediction = classifier.predict(message)
    if not understood(prediction):
        if prediction.intent == "out_of_scope" and prediction.known >= MIN_KNOWN:
            state["misses"] = 0
            return answers.out_of_scope(), prediction
        if not _has_letters(message):
            return (
                Reply(_("Please write your question in words."), "unknown", suggestions=answers.starters()),
                prediction,
            )
        state["misses"] = int(state.get("misses", 0)) + 1
        if state["misses"] >= MISSES_BEFORE_HANDOVER:
            state["misses"] = 0
            return hand_over(conversation, turn, Handover.Reason.NOT_UNDERSTOOD), prediction
        return answers.not_understood(first=True), prediction
    state["misses"] = 0
    _reset(conversation, "options")
    return dispatch(conversation, turn, prediction.intent, message), prediction


def _has_letters(message: str) -> bool:
    return any(character.isalpha() for character in message)


def dispatch(conversation: Conversation, turn: Turn, intent: str, message: str) -> Reply:
    if intent in PERSONAL and not conversation.is_verified():
        return start_verification(conversation, turn, intent, message)
    user = conversation.verified_user if conversation.is_verified() else None
    handler = HANDLERS.get(intent)
    if handler is None:
        return answers.not_understood(first=True)
    reply = handler(conversation, turn, message, user)
    _offer(conversation, reply)
    return reply


def _offer(conversation: Conversation, reply: Reply) -> None:
    """Remember the options a reply offers, so "2" or the option's words choose one next time."""
    state = _state(conversation)
    if reply.options:
        state["options"] = {"intent": reply.intent, "items": reply.options}
    else:
        state.pop("options", None)


def _match_option(items: list[dict[str, str]], message: str) -> dict[str, str] | None:
    plain = _plain(message)
    if plain.isdigit() and 1 <= int(plain) <= len(items):
        return items[int(plain) - 1]
    # Labels are shown in Devanagari or, to romanised Hindi, in Latin letters ("asha devi" for
    # आशा देवी), and the person may answer in either: both are compared in Latin letters too.
    said = {plain, _plain(romanisation.romanise(message))}
    scored = [
        (max(_likeness(words, label) for words in said for label in _both_scripts(item["label"])), item)
        for item in items
    ]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= 85 else None


def _both_scripts(label: str) -> tuple[str, str]:
    return label, romanisation.romanise(label)


def _likeness(plain: str, label: str) -> float:
    return 100.0 if plain == _plain(label) else fuzz.ratio(plain, _plain(label))


def _chosen_option(conversation: Conversation, message: str) -> Reply | None:
    offered = _state(conversation).get("options")
    if not offered:
        return None
    item = _match_option(offered["items"], message)
    if item is None:
        return None
    intent, kind, value = offered["intent"], item.get("kind", ""), item["value"]
    reply: Reply | None = None
    if kind == "service":
        reply = answers.service(value, intent)
    elif kind == "scheme":
        reply = answers.scheme_reply(value, _personal_user(conversation))
    elif kind == "department":
        reply = answers.department(value)
    elif kind == "member" and conversation.is_verified() and conversation.verified_user is not None:
        reply = answers.decisions_answer(message, conversation.verified_user, chosen_member=value)
    if reply is None:
        return None
    _offer(conversation, reply)
    return reply


def _personal_user(conversation: Conversation, turn: Turn | None = None) -> User | None:
    """Whose own eligibility to show: the verified number's citizen, else the logged-in citizen."""
    if conversation.is_verified():
        return conversation.verified_user
    if turn is not None and turn.user is not None and turn.user.is_authenticated:
        return turn.user
    return None


# ----------------------------------------------------------------- intents


def _greeting(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.greeting()


def _thanks(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.thanks()


def _service(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.service_answer(message, "find_service")


def _documents(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.service_answer(message, "service_documents")


def _scheme(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.scheme_answer(message, _personal_user(conversation, turn))


def _decision(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    assert user is not None
    return answers.decisions_answer(message, user)


def _applications(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    assert user is not None
    return answers.applications_answer(message, user)


def _complaints(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    assert user is not None
    return answers.complaints_answer(message, user)


def _card(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.card_download(_personal_user(conversation, turn))


def _ekyc(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.ekyc_help(_personal_user(conversation, turn))


def _family(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.family_change(message, _personal_user(conversation, turn))


def _department(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.department_answer(message)


def _handoff(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return hand_over(conversation, turn, Handover.Reason.ASKED)


def _out_of_scope(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return answers.out_of_scope()


def _file(conversation: Conversation, turn: Turn, message: str, user: User | None) -> Reply:
    return start_complaint(conversation, turn, message)


Handler = Callable[[Conversation, Turn, str, User | None], Reply]
HANDLERS: dict[str, Handler] = {
    "greeting": _greeting,
    "thanks": _thanks,
    "find_service": _service,
    "service_documents": _documents,
    "scheme_eligibility": _scheme,
    "explain_decision": _decision,
    "track_application": _applications,
    "track_complaint": _complaints,
    "file_complaint": _file,
    "card_download": _card,
    "ekyc_help": _ekyc,
    "family_change": _family,
    "department_info": _department,
    "human_handoff": _handoff,
    "out_of_scope": _out_of_scope,
}


# ------------------------------------------------------------ verification


def _known_number(turn: Turn) -> str:
    """A number the person already proved or showed: their login's, or the WhatsApp sender's."""
    if (
        turn.user is not None
        and turn.user.is_authenticated
        and not turn.user.is_official
        and turn.user.mobile
    ):
        return str(turn.user.mobile)
    return turn.whatsapp_mobile


def start_verification(conversation: Conversation, turn: Turn, intent: str, message: str) -> Reply:
    state = _state(conversation)
    _reset(conversation, "options", "complaint")
    state["flow"] = "verify"
    state["pending"] = {"intent": intent, "text": redaction.redact(message)[:MESSAGE_MAX]}
    number = _known_number(turn)
    if number:
        return _send_code(conversation, turn, number, first=True)
    state["verify"] = {"step": "mobile", "tries": 0}
    return Reply(
        _(
            "To show or act on your own records I must first confirm it is you. Type the mobile number "
            "that is in Him Parivar; I will send a 6-digit code to it by SMS."
        ),
        intent,
    )


def _send_code(conversation: Conversation, turn: Turn, mobile: str, *, first: bool = False) -> Reply:
    state = _state(conversation)
    intent = state.get("pending", {}).get("intent", "unknown")
    try:
        otp.issue(mobile, OtpPurpose.LOGIN, turn.request, language=conversation.language)
    except otp.Throttled as throttled:
        _reset(conversation, "flow", "verify", "pending")
        minutes = max(1, round(throttled.retry_after / 60))
        return Reply(
            _("Too many codes were asked for this number. Please try again in %(minutes)d minutes.")
            % {"minutes": minutes},
            intent,
        )
    state["verify"] = {"step": "code", "mobile": mobile, "tries": 0}
    masked = f"XXXXXX{mobile[-4:]}"
    lead = _("To show or act on your own records I must first confirm it is you.") + " " if first else ""
    return Reply(
        lead
        + _(
            "If %(mobile)s is in Him Parivar, an SMS with a 6-digit code is on its way to it. Type the "
            "code here; it is valid for 10 minutes. To use another registered number, type that number."
        )
        % {"mobile": masked},
        intent,
        suggestions=[_("New code")],
    )


def _verify_flow(conversation: Conversation, turn: Turn, message: str) -> Reply | None:
    state = _state(conversation)
    step = state.get("verify", {})
    intent = state.get("pending", {}).get("intent", "unknown")
    mobiles = redaction.mobiles_in(message)
    if mobiles:
        return _send_code(conversation, turn, mobiles[0])
    if step.get("step") == "code":
        codes = redaction.codes_in(message)
        if codes:
            return _check_code(conversation, turn, step["mobile"], codes[0])
        if _plain(message) in NEW_CODE:
            return _send_code(conversation, turn, step["mobile"])
    step["tries"] = int(step.get("tries", 0)) + 1
    if step["tries"] >= ATTEMPTS or _confidently_else(message, intent):
        _reset(conversation, "flow", "verify", "pending")
        return None
    if step.get("step") == "code":
        return Reply(_('Please type the 6-digit code from the SMS, or "new code".'), intent)
    return Reply(_("Please type a 10-digit mobile number."), intent)


def _confidently_else(message: str, intent: str) -> bool:
    prediction = classifier.predict(message)
    return understood(prediction) and prediction.confidence >= 0.6 and prediction.intent != intent


def _check_code(conversation: Conversation, turn: Turn, mobile: str, code: str) -> Reply:
    state = _state(conversation)
    pending = state.get("pending", {})
    intent = pending.get("intent", "unknown")
    try:
        right = otp.verify(mobile, OtpPurpose.LOGIN, code, turn.request)
    except otp.Throttled as throttled:
        _reset(conversation, "flow", "verify", "pending")
        minutes = max(1, round(throttled.retry_after / 60))
        return Reply(
            _("Too many wrong codes. Please try again in %(minutes)d minutes.") % {"minutes": minutes}, intent
        )
    if not right:
        return Reply(
            _('That code is not right, or it has expired. Type it again, or "new code" for another.'),
            intent,
            suggestions=[_("New code")],
        )
    user = citizen_for_mobile(mobile, conversation.language)
    if not user.is_active:
        _reset(conversation, "flow", "verify", "pending")
        return Reply(_("This login is disabled. Please call 1100."), intent)
    linked = citizen_links.refresh_citizen_links(user, request=turn.request)
    conversation.verified_mobile = mobile
    conversation.verified_at = timezone.now()
    conversation.verified_user = user
    audit.record(user, "chatbot.verified", conversation, after={"channel": conversation.channel})
    _reset(conversation, "flow", "verify")
    done = _("Thank you, your number is confirmed.")
    candidates = list(citizen_links.member_candidates(user)[:6]) if not linked else []
    if len(candidates) > 1:
        # Family members often share one phone: the person says which of them they are, as at login.
        lang = answers.language()
        options = [{"label": m.name_in(lang), "value": m.member_id} for m in candidates]
        state["flow"] = "member"
        state["member"] = {"options": options, "tries": 0}
        return Reply(
            done + " " + _("This number is on the register for several people. Which of them are you?"),
            intent,
            suggestions=[option["label"] for option in options],
        )
    return _carry_out(conversation, turn, done)


def _carry_out(conversation: Conversation, turn: Turn, done: str) -> Reply:
    """Do what the person asked before the verification, now that it is done."""
    pending = _state(conversation).pop("pending", {}) or {}
    intent = pending.get("intent", "unknown")
    if intent in HANDLERS:
        reply = dispatch(conversation, turn, intent, pending.get("text", ""))
        reply.text = done + "\n" + reply.text
        return reply
    return Reply(done, intent)


def _member_flow(conversation: Conversation, turn: Turn, message: str) -> Reply | None:
    state = _state(conversation)
    step = state.get("member") or {}
    chosen = _match_option(step.get("options", []), message)
    user = conversation.verified_user
    if chosen is None or user is None:
        step["tries"] = int(step.get("tries", 0)) + 1
        if step["tries"] >= ATTEMPTS or user is None:
            _reset(conversation, "flow", "member", "pending")
            return None
        return Reply(
            _("Please choose your name."),
            "unknown",
            suggestions=[option["label"] for option in step.get("options", [])],
        )
    member = citizen_links.member_candidates(user).filter(member_id=chosen["value"]).first()
    _reset(conversation, "flow", "member")
    if member is None:
        _reset(conversation, "pending")
        return None
    citizen_links.link_citizen(user, member, request=turn.request)
    return _carry_out(conversation, turn, _("Thank you."))


# --------------------------------------------------------- filing a complaint


def start_complaint(conversation: Conversation, turn: Turn, message: str) -> Reply:
    state = _state(conversation)
    state["flow"] = "complaint"
    draft: dict[str, Any] = {"step": "category", "tries": 0}
    hits = retrieval.best(retrieval.CATEGORIES, message, limit=4)
    if hits and len(retrieval.query_keys(message)) >= 4:
        # A message that describes the problem is kept as its description (read back before filing).
        draft["description"] = redaction.redact(message)[: grievance_actions.DESCRIPTION_MAX]
    state["complaint"] = draft
    return _ask_category(conversation, hits)


def _category_options(hits: list[retrieval.Hit]) -> list[dict[str, str]]:
    codes = [hit.key for hit in hits]
    found = {
        c.code: c for c in Category.objects.filter(code__in=codes).select_related("department", "parent")
    }
    lang = answers.language()
    return [
        {"label": found[code].path_in(lang), "value": code, "kind": "category"}
        for code in codes
        if code in found
    ]


def _ask_category(conversation: Conversation, hits: list[retrieval.Hit]) -> Reply:
    options = _category_options(hits[:4])
    _state(conversation)["complaint"]["options"] = options
    if options:
        return Reply(
            _("What is the complaint about? Choose one, or describe it in other words."),
            "file_complaint",
            suggestions=[option["label"] for option in options],
        )
    return Reply(
        _(
            "What is the complaint about? Say it in a few words, for example: no water supply, "
            "road damaged, no electricity."
        ),
        "file_complaint",
        suggestions=[_("No water supply"), _("Road damaged"), _("No electricity")],
    )


def _complaint_flow(conversation: Conversation, turn: Turn, message: str) -> Reply | None:
    state = _state(conversation)
    draft = state.get("complaint") or {}
    if not conversation.is_verified():
        _reset(conversation, "flow", "complaint")
        return start_verification(conversation, turn, "file_complaint", message)
    step = draft.get("step")
    if step == "category":
        return _complaint_category(conversation, message, draft)
    if step == "location":
        return _complaint_location(conversation, message, draft)
    if step == "tehsil":
        return _complaint_tehsil(conversation, message, draft)
    if step == "description":
        return _complaint_description(conversation, message, draft)
    if step == "confirm":
        return _complaint_confirm(conversation, turn, message, draft)
    _reset(conversation, "flow", "complaint")
    return None


def _give_up_or(
    conversation: Conversation, draft: dict[str, Any], message: str, ask: Callable[[], Reply]
) -> Reply | None:
    draft["tries"] = int(draft.get("tries", 0)) + 1
    if draft["tries"] > ATTEMPTS or _confidently_else(message, "file_complaint"):
        _reset(conversation, "flow", "complaint")
        return None
    return ask()


def _complaint_category(conversation: Conversation, message: str, draft: dict[str, Any]) -> Reply | None:
    chosen = _match_option(draft.get("options", []), message)
    if chosen is None:
        hits = retrieval.best(retrieval.CATEGORIES, message, limit=4)
        top = answers.confident(hits)
        clear_lead = len(hits) == 1 or hits[0].score >= 2 * hits[1].score
        if top is not None and (top.coverage >= 0.5 or clear_lead):
            chosen = next(iter(_category_options([top])), None)
        elif hits:
            draft["tries"] = int(draft.get("tries", 0)) + 1
            return _ask_category(conversation, hits)
    if chosen is None:
        return _give_up_or(conversation, draft, message, lambda: _ask_category(conversation, []))
    draft.update(category=chosen["value"], step="location", tries=0)
    draft.pop("options", None)
    return _ask_location(conversation, draft)


def _home(conversation: Conversation) -> Family | None:
    user = conversation.verified_user
    return Family.objects.visible_to(user).select_related("district", "tehsil").first() if user else None


def _ask_location(conversation: Conversation, draft: dict[str, Any]) -> Reply:
    family = _home(conversation)
    lang = answers.language()
    suggestions = []
    if family is not None:
        home = _("At my home (%(tehsil)s, %(district)s)") % {
            "tehsil": family.tehsil.name_in(lang),
            "district": family.district.name_in(lang),
        }
        draft["home_label"] = home
        suggestions.append(home)
    return Reply(
        _(
            "Where is the problem? Type the district and the tehsil (for example: Mandi, Sadar), "
            "or a pincode."
        ),
        "file_complaint",
        suggestions=suggestions,
    )


def _complaint_location(conversation: Conversation, message: str, draft: dict[str, Any]) -> Reply | None:
    home = draft.get("home_label")
    family = _home(conversation)
    said = _plain(message)
    if (
        family is not None
        and home
        and (fuzz.ratio(said, _plain(home)) >= 85 or said in YES or HOME & set(said.split()))
    ):
        draft.update(
            place="home", district=family.district_id, tehsil=family.tehsil_id, step="description", tries=0
        )
        return _after_place(conversation, draft)
    district_id = None
    codes = redaction.codes_in(message)
    if codes:
        found = PostOffice.objects.filter(pincode=codes[0]).values_list("district_id", flat=True).first()
        district_id = int(found) if found is not None else None
    if district_id is None:
        top = answers.confident(retrieval.best(retrieval.DISTRICTS, message))
        district_id = int(top.key) if top is not None else None
    if district_id is None:
        return _give_up_or(
            conversation,
            draft,
            message,
            lambda: Reply(
                _("I could not find that district in Himachal Pradesh. Please type the district's name."),
                "file_complaint",
            ),
        )
    draft.update(district=district_id, step="tehsil", tries=0)
    return _complaint_tehsil(conversation, message, draft, asked=False)


def _complaint_tehsil(
    conversation: Conversation, message: str, draft: dict[str, Any], *, asked: bool = True
) -> Reply | None:
    """The tehsil, from the options offered, or by name among the district's tehsils."""
    lang = answers.language()
    district = District.objects.get(pk=int(draft["district"]))
    chosen = _match_option(draft.get("options", []), message)
    words = retrieval.query_keys(message)
    if not asked:
        # The words that named the district do not name a tehsil (Mandi district has a Mandi tehsil).
        named = set(retrieval.query_keys(district.name_en)) | set(retrieval.query_keys(district.name_hi))
        words = [word for word in words if word not in named]
    hits = retrieval.tehsils_of(district.pk).search(words, limit=4) if words else []
    top = answers.confident(hits)
    if chosen is not None or top is not None:
        tehsil_id = int(chosen["value"] if chosen is not None else top.key)  # type: ignore[union-attr]
        draft.update(tehsil=tehsil_id, place="typed", step="description", tries=0)
        draft.pop("options", None)
        return _after_place(conversation, draft)
    if asked:
        draft["tries"] = int(draft.get("tries", 0)) + 1
        if draft["tries"] > ATTEMPTS:
            _reset(conversation, "flow", "complaint")
            return None
    candidates = [Tehsil.objects.get(pk=int(hit.key)) for hit in hits] or list(
        Tehsil.objects.filter(district=district, name_en__iexact=district.name_en)
    )
    options = [{"label": t.name_in(lang), "value": str(t.pk), "kind": "tehsil"} for t in candidates[:4]]
    draft["options"] = options
    return Reply(
        _("Which tehsil of %(district)s? Type its name.") % {"district": district.name_in(lang)},
        "file_complaint",
        suggestions=[option["label"] for option in options],
    )


def _after_place(conversation: Conversation, draft: dict[str, Any]) -> Reply:
    if draft.get("description"):
        draft["step"] = "confirm"
        return _read_back(conversation, draft)
    draft["step"] = "description"
    return Reply(
        _("Now describe the problem in a few sentences: what, since when, and exactly where."),
        "file_complaint",
    )


def _complaint_description(conversation: Conversation, message: str, draft: dict[str, Any]) -> Reply | None:
    if len(retrieval.query_keys(message)) < 2:
        return _give_up_or(
            conversation,
            draft,
            message,
            lambda: Reply(_("Please describe the problem in a sentence or two."), "file_complaint"),
        )
    draft.update(
        description=redaction.redact(message)[: grievance_actions.DESCRIPTION_MAX], step="confirm", tries=0
    )
    return _read_back(conversation, draft)


def _place_of(draft: dict[str, Any], family: Family | None) -> routing.Place:
    if draft.get("place") == "home" and family is not None:
        return routing.Place.of_family(family)
    return routing.Place.from_codes(district=int(draft["district"]), tehsil=int(draft["tehsil"]))


def _read_back(conversation: Conversation, draft: dict[str, Any]) -> Reply:
    lang = answers.language()
    category = Category.objects.select_related("department", "parent").get(code=draft["category"])
    place = _place_of(draft, _home(conversation))
    where = f"{place.tehsil.name_in(lang)}, {place.district.name_in(lang)}"
    text = _(
        "Please check before I register it:\nAbout: %(category)s\nWhere: %(where)s\n"
        "Complaint: %(description)s\n"
        "The reference number and updates will come by SMS to %(mobile)s. Shall I register it?"
    ) % {
        "category": category.path_in(lang),
        "where": where,
        "description": draft["description"],
        "mobile": conversation.masked_verified_mobile,
    }
    return Reply(text, "file_complaint", suggestions=[_("Yes, register it"), _("No, cancel")])


def _complaint_confirm(
    conversation: Conversation, turn: Turn, message: str, draft: dict[str, Any]
) -> Reply | None:
    plain = _plain(message)
    first = plain.split(" ")[0] if plain else ""
    if plain in NO or first in NO:
        _reset(conversation, "flow", "complaint")
        return Reply(
            _("Cancelled: nothing was registered."), "file_complaint", suggestions=answers.starters()
        )
    if not (plain in YES or first in YES or fuzz.ratio(plain, _plain(_("Yes, register it"))) >= 85):
        return _give_up_or(
            conversation,
            draft,
            message,
            lambda: Reply(
                _("Please answer yes to register the complaint, or no to cancel."),
                "file_complaint",
                suggestions=[_("Yes, register it"), _("No, cancel")],
            ),
        )
    return _file_complaint(conversation, turn, draft)


def _file_complaint(conversation: Conversation, turn: Turn, draft: dict[str, Any]) -> Reply:
    user = conversation.verified_user
    mobile = conversation.verified_mobile
    member = grievance_actions.known_member(mobile)
    channel = (
        ComplaintChannel.WHATSAPP if conversation.channel == Channel.WHATSAPP else ComplaintChannel.CHATBOT
    )
    try:
        category = grievance_actions.fileable_category(draft["category"])
        filing = grievance_actions.file_complaint(
            category=category,
            description=draft["description"],
            mobile=mobile,
            place=_place_of(draft, _home(conversation)),
            channel=channel,
            name=member.name_en if member is not None else "",
            member=member,
            acting_user=user,
        )
    except (ValidationError, PermissionDenied) as error:
        _reset(conversation, "flow", "complaint")
        detail = " ".join(getattr(error, "messages", [])) or _("It could not be registered.")
        return Reply(detail + " " + _("Nothing was registered. You can also call 1100."), "file_complaint")
    _reset(conversation, "flow", "complaint")
    complaint = filing.complaint
    track = answers.site(reverse("grievances:track") + f"?reference={complaint.reference}")
    if filing.repeat:
        text = _(
            "This problem is already registered as complaint %(reference)s; your message has been "
            "added to it. "
            "Track it at %(url)s"
        ) % {"reference": complaint.display_reference, "url": track}
    else:
        text = _(
            "Registered. Your reference number is %(reference)s. It has gone to the officer concerned, "
            "who has to act by %(date)s. An SMS with the number has been sent to %(mobile)s. "
            "Track it at %(url)s"
        ) % {
            "reference": complaint.display_reference,
            "date": answers.when(complaint.due_at),
            "mobile": conversation.masked_verified_mobile,
            "url": track,
        }
    return Reply(text, "file_complaint", suggestions=[_("Status of my complaint")])


# ------------------------------------------------------------------ hand-over


def hand_over(conversation: Conversation, turn: Turn, reason: str) -> Reply:
    """Pass the conversation to the helpline; ask for a number to call back if none is known."""
    number = conversation.verified_mobile if conversation.is_verified() else _known_number(turn)
    handover = (
        Handover.objects.filter(
            conversation=conversation, status__in=[Handover.Status.OPEN, Handover.Status.TAKEN]
        )
        .order_by("-created_at")
        .first()
    )
    _state(conversation)["handed_over"] = True
    if handover is None:
        handover = Handover.objects.create(conversation=conversation, reason=reason, callback_mobile=number)
        audit.record(None, "chatbot.handover", conversation, after={"reason": reason})
    elif number and not handover.callback_mobile:
        handover.callback_mobile = number
        handover.save(update_fields=["callback_mobile"])
    intent = "human_handoff"
    lead = (
        _("Sorry, I could not understand you. I am passing this conversation to the 1100 helpline.")
        if reason == Handover.Reason.NOT_UNDERSTOOD
        else _("I am passing this conversation to the 1100 helpline.")
    )
    if handover.callback_mobile:
        return Reply(
            lead
            + " "
            + _(
                "An agent will call you on %(mobile)s (Monday to Saturday, 7 am to 10 pm). Your conversation "
                "reference is %(reference)s."
            )
            % {"mobile": handover.masked_callback, "reference": conversation.reference},
            intent,
        )
    _state(conversation)["flow"] = "handover"
    _state(conversation)["handover"] = {"tries": 0}
    return Reply(
        lead
        + " "
        + _(
            "Type a mobile number the agent can call you on, or call 1100 yourself (Monday to Saturday, "
            "7 am to 10 pm) and give the reference %(reference)s."
        )
        % {"reference": conversation.reference},
        intent,
    )


def _handover_flow(conversation: Conversation, turn: Turn, message: str) -> Reply | None:
    mobiles = redaction.mobiles_in(message)
    if mobiles:
        handover = Handover.objects.filter(
            conversation=conversation, status__in=[Handover.Status.OPEN, Handover.Status.TAKEN]
        ).first()
        _reset(conversation, "flow", "handover")
        if handover is None:
            return None
        handover.callback_mobile = mobiles[0]
        handover.save(update_fields=["callback_mobile"])
        return Reply(
            _("Thank you. An agent will call you on %(mobile)s.") % {"mobile": handover.masked_callback},
            "human_handoff",
        )
    _reset(conversation, "flow", "handover")
    return None


FLOWS: dict[str, Callable[[Conversation, Turn, str], Reply | None]] = {
    "verify": _verify_flow,
    "member": _member_flow,
    "complaint": _complaint_flow,
    "handover": _handover_flow,
}
