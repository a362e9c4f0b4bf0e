"""The one settings module. Every value can be set from the environment.

The defaults form the embedded profile: SQLite under ``var/``, tasks run
eagerly, SMS written to a file, DEBUG on. Production sets DEBUG=false,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see ``.env.example``); with DEBUG
off the security settings switch to their strict values and a missing secret
stops start-up.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from himaccess.integrations.keys import load_private_key as load_oidc_private_key
from himaccess.lib.databases import POOLERS, database_settings, replica_settings
from himaccess.lib.environment import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(env_str("HIMACCESS_DATA_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "embedded-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public base URL, used in SMS links, QR codes and the OpenID issuer.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin site behind password + TOTP (accounts.admin_site).
    "himaccess.accounts.admin_site.MfaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Lowest of ours: imports no other app, so every create endpoint can use it.
    "himaccess.idempotency",
    "himaccess.accounts",
    "himaccess.geography",
    "himaccess.departments",
    # The Aadhaar vault sits below the register: only it holds full numbers.
    "himaccess.vault",
    "himaccess.registry",
    "himaccess.events",
    "himaccess.audit",
    "himaccess.notifications",
    "himaccess.cards",
    "oauth2_provider",
    "himaccess.integrations",
    "himaccess.sharing",
    "himaccess.catalog",
    "himaccess.applications",
    "himaccess.grievances",
    "himaccess.schemes",
    "himaccess.chatbot",
    "himaccess.kyc",
    "himaccess.linkage",
    "himaccess.quality",
    "himaccess.milkfed",
    "himaccess.natural_farming",
    "himaccess.transparency",
    # Webhooks to departments: publishes events of the apps above, imported by none of them.
    "himaccess.webhooks",
    # The embedded demo (`himaccess demo`): drives every app above, imported by none.
    "himaccess.demo",
]

MIDDLEWARE = [
    # Outermost, outside everything that can reach the database or the cache: an outage is a 503, never a 500.
    "himaccess.middleware.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "himaccess.middleware.SecurityHeadersMiddleware",
    # Static files from STATIC_ROOT (after collectstatic) without a separate web server; in DEBUG
    # straight from the apps' folders. Answers here, before sessions or the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No-store on every answer that may carry personal data (logged in, /api/, /o/, POST), refusals too.
    "himaccess.middleware.NoStoreMiddleware",
    # Bodies larger than MAX_REQUEST_BYTES (any but a form's: JSON_BODY_MAX_BYTES) are refused (413)
    # before anything reads them.
    "himaccess.middleware.RequestSizeLimitMiddleware",
    # Control characters, deep JSON and oversize JSON are refused before sessions or views see them.
    "himaccess.middleware.InputGuardMiddleware",
    # Past MAX_CONCURRENT_REQUESTS at once in this process: 503 with Retry-After at once, before
    # sessions or the database are touched (lib/capacity.py). After the refusals above, which need
    # neither: a bad request never holds a slot nor waits for one, and a slow upload is read before
    # its request takes one.
    "himaccess.lib.capacity.CapacityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refused in the reader's language: OAuth tokens in the address (query string).
    "himaccess.middleware.TokensOutOfAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An action's refusal (lib.errors) a view let through: 404, 400 or 409, never a 403 or a 500.
    "himaccess.lib.errors.ActionErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "himaccess.urls"
WSGI_APPLICATION = "himaccess.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Forms render as GOV.UK Frontend markup (docs/decisions/1230-design-system.md).
FORM_RENDERER = "himaccess.lib.form_renderer.GovukFormRenderer"

# SQLite under var/ unless DATABASE_URL names another database (lib.databases builds each entry).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'himaccess.sqlite3'}")
# "transaction": connections go through a pooler in transaction mode (PgBouncer), for the primary
# and the replica alike; no server-side cursors nor prepared statements then (docs/decisions/1231).
DATABASE_POOLER = env_choice("DATABASE_POOLER", "none", POOLERS)
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES = {"default": database_settings(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, pooler=DATABASE_POOLER)}
# A streaming replica for reads that may be stale (public catalogue pages); only code that asks for
# it (lib.databases.stale_reads_ok) reads there, never inside a transaction on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_settings(
        DATABASE_REPLICA_URL, conn_max_age=DB_CONN_MAX_AGE, pooler=DATABASE_POOLER
    )
DATABASE_ROUTERS = ["himaccess.lib.databases.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Sessions and permissions only: authenticate() never logs anyone in with a password alone
# (officials pass accounts.authentication's password and TOTP steps).
AUTHENTICATION_BACKENDS = ["himaccess.accounts.authentication.LoginStepsBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The API docs page's Swagger UI, vendored from npm (himaccess/vendor/swagger-ui/README.md).
    ("swagger-ui", BASE_DIR / "vendor" / "swagger-ui"),
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# Production serves collected files under names carrying a hash of their content (cached for a year,
# compressed ahead) and needs `himaccess collectstatic` at each deployment; a laptop serves them as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "himaccess.lib.staticfiles.HashedStaticFiles"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
# Bodies that are not form data (JSON to the API): the largest accepted (413 beyond) and the deepest
# nesting of arrays and objects (400 beyond), both checked before anything parses them.
JSON_BODY_MAX_BYTES = env_int(
    "JSON_BODY_MAX_BYTES", 262_144, minimum=1024, maximum=DATA_UPLOAD_MAX_MEMORY_SIZE
)
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32, minimum=4, maximum=100)
# The longest address (path and query string) accepted: 414 beyond, in the reader's language or the
# API's error shape. Below the web server's own limit on the request line (gunicorn runs with
# --limit-request-line 8190, nginx's buffers hold 8 KB), so the refusal is the product's own.
MAX_ADDRESS_LENGTH = env_int("MAX_ADDRESS_LENGTH", 4000, minimum=512, maximum=8000)
# Him Seva documents: the cap per uploaded file, and the virus scanner run on each before it is kept.
SERVICES_UPLOAD_MAX_BYTES = env_int("SERVICES_UPLOAD_MAX_BYTES", 2_097_152, minimum=10_240)
# "none" keeps uploads WITHOUT scanning them (marked "not scanned"); production names a command, e.g.
# "clamdscan --no-summary --fdpass", given the file's path last: exit 0 clean, 1 infected, else refused.
SERVICES_VIRUS_SCAN_COMMAND = env_str("SERVICES_VIRUS_SCAN_COMMAND", "none")
SERVICES_DRAFT_DAYS = env_int("SERVICES_DRAFT_DAYS", 30, minimum=1, maximum=365)
# What one citizen may start and submit in a calendar day (429 beyond), counted in the database.
SERVICES_DRAFTS_PER_DAY = env_int("SERVICES_DRAFTS_PER_DAY", 20, minimum=1, maximum=1000)
SERVICES_SUBMISSIONS_PER_DAY = env_int("SERVICES_SUBMISSIONS_PER_DAY", 20, minimum=1, maximum=1000)
# The largest request body accepted at all, however its length is stated (413 beyond): by default
# two documents at the per-file cap, plus room for the form's fields.
MAX_REQUEST_BYTES = env_int(
    "MAX_REQUEST_BYTES",
    2 * SERVICES_UPLOAD_MAX_BYTES + 262_144,
    minimum=SERVICES_UPLOAD_MAX_BYTES + 65_536,
)

# Load shedding per web process (lib/capacity.py): at most this many requests served at once (0: off,
# the embedded default, whose development server has no threads to spare). A request waits up to
# CAPACITY_QUEUE_MILLISECONDS for a slot, then gets 503 with Retry-After. Run gunicorn with more
# threads than this (8 threads for 4 slots), so the threads beyond it answer 503 at once.
MAX_CONCURRENT_REQUESTS = env_int("MAX_CONCURRENT_REQUESTS", 0 if DEBUG else 4, minimum=0, maximum=1000)
CAPACITY_QUEUE_MILLISECONDS = env_int("CAPACITY_QUEUE_MILLISECONDS", 250, minimum=0, maximum=30_000)
# With the proxy's X-Request-Start stamp (deploy/nginx.conf): refuse a request that already waited
# longer than this in front of the process, whose client has most likely given up (0: off).
CAPACITY_MAX_WAIT_MILLISECONDS = env_int("CAPACITY_MAX_WAIT_MILLISECONDS", 0, minimum=0, maximum=600_000)
CAPACITY_RETRY_AFTER_SECONDS = env_int("CAPACITY_RETRY_AFTER_SECONDS", 5, minimum=1, maximum=3600)

# Caches back rate limits and sessions' helpers; locmem suits one process only.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "himaccess"}
    )
}

# Background work. With no broker, tasks run in-process as they are queued.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
# Undelivered domain events are re-dispatched by the relay; this many per transaction.
EVENTS_RELAY_BATCH = env_int("EVENTS_RELAY_BATCH", 100, minimum=1, maximum=10_000)

# Webhooks to departments (himaccess.webhooks, docs/decisions/1195). Plain http and private or loopback
# addresses are accepted only in the embedded profile; production subscribers are https on public hosts.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", DEBUG)
# Deliveries one worker claims at a time, and threads sending them (one subscriber per thread).
WEBHOOKS_BATCH = env_int("WEBHOOKS_BATCH", 200, minimum=1, maximum=10_000)
WEBHOOKS_SEND_THREADS = env_int("WEBHOOKS_SEND_THREADS", 8, minimum=1, maximum=64)
WEBHOOKS_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", 3, minimum=1, maximum=30)
WEBHOOKS_READ_TIMEOUT_SECONDS = env_int("WEBHOOKS_READ_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# Attempts before a delivery is given up (about two days with the waits capped at six hours).
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 15, minimum=1, maximum=50)
# Consecutive failures that pause a subscriber, and the longest pause, in seconds.
WEBHOOKS_CIRCUIT_FAILURES = env_int("WEBHOOKS_CIRCUIT_FAILURES", 5, minimum=1, maximum=1000)
WEBHOOKS_CIRCUIT_MAX_SECONDS = env_int("WEBHOOKS_CIRCUIT_MAX_SECONDS", 300, minimum=1, maximum=86_400)

# How long the answer to a create sent with an Idempotency-Key is kept for replay.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24, minimum=1, maximum=24 * 30)

# Security. Strict whenever DEBUG is off; each can still be tuned.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Outgoing SMS: "file" appends to var/sms.log; "http" posts to a DLT gateway.
SMS_BACKEND = env_choice("SMS_BACKEND", "file", ("file", "console", "http"))
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_API_KEY = env_str("SMS_GATEWAY_API_KEY", "")
SMS_SENDER_ID = env_str("SMS_SENDER_ID", "HPGOVT")
SMS_DLT_ENTITY_ID = env_str("SMS_DLT_ENTITY_ID", "")

# CM Seva Sankalp (grievances): days the complainant has to answer a resolution
# before it closes unanswered; days after closure a complaint may be reopened;
# hours within which the same caller, category and place is a repeat, not new.
GRIEVANCE_CONFIRM_DAYS = env_int("GRIEVANCE_CONFIRM_DAYS", 7, minimum=1, maximum=60)
GRIEVANCE_REOPEN_DAYS = env_int("GRIEVANCE_REOPEN_DAYS", 30, minimum=1, maximum=365)
GRIEVANCE_DUPLICATE_HOURS = env_int("GRIEVANCE_DUPLICATE_HOURS", 72, minimum=0, maximum=720)

# The CM Seva Sankalp chatbot: days a transcript is kept after its last message (then deleted by the
# scheduled purge); minutes a conversation stays verified after its one-time code.
CHATBOT_TRANSCRIPT_DAYS = env_int("CHATBOT_TRANSCRIPT_DAYS", 30, minimum=1, maximum=365)
CHATBOT_VERIFIED_MINUTES = env_int("CHATBOT_VERIFIED_MINUTES", 30, minimum=5, maximum=240)
# Optional rephrasing of answers by a language model behind an OpenAI-compatible endpoint ("none": off).
# The model only rewords an answer built from the records; a reply that drops or adds a fact is discarded.
CHATBOT_LLM_BACKEND = env_choice("CHATBOT_LLM_BACKEND", "none", ("none", "openai"))
CHATBOT_LLM_URL = env_str("CHATBOT_LLM_URL", "")
CHATBOT_LLM_MODEL = env_str("CHATBOT_LLM_MODEL", "")
CHATBOT_LLM_API_KEY = env_str("CHATBOT_LLM_API_KEY", "")
CHATBOT_LLM_TIMEOUT_SECONDS = env_int("CHATBOT_LLM_TIMEOUT_SECONDS", 4, minimum=1, maximum=30)
# WhatsApp Business Cloud API: "fake" keeps replies in DATA_DIR/whatsapp.log (demo, tests); "graph" sends
# them through the Graph API. The webhook checks X-Hub-Signature-256 with the app secret.
WHATSAPP_BACKEND = env_choice("WHATSAPP_BACKEND", "fake", ("fake", "graph"))
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_GRAPH_URL = env_str("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0").rstrip("/")

# Keys outside the database: the permutation key that makes register IDs
# non-sequential must never change once IDs have been issued.
PUBLIC_REGISTER_ID_KEY = "himachal-register-ids-v1"
REGISTER_ID_KEY = env_str("REGISTER_ID_KEY", PUBLIC_REGISTER_ID_KEY)
if REGISTER_ID_KEY == PUBLIC_REGISTER_ID_KEY and not DEBUG:
    # With the public key every install issues the same IDs and complaint numbers, in a known order.
    raise ImproperlyConfigured(
        "REGISTER_ID_KEY must be set to a random secret when DEBUG is off, e.g. the output of "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; never change it once IDs exist"
    )
SIGNING_KEY_DIR = Path(env_str("SIGNING_KEY_DIR", str(DATA_DIR / "keys")))
# Whether a missing card or certificate signing key may be generated into
# SIGNING_KEY_DIR (the embedded profile); production configures its keys.
GENERATE_SIGNING_KEYS = env_bool("GENERATE_SIGNING_KEYS", DEBUG)
# The "iss" of cards (CWT) and certificates (JWS): a URI, as Claim 169 v1.2 asks (production's is https).
CREDENTIAL_ISSUER = (env_str("CREDENTIAL_ISSUER", "") or SITE_URL).rstrip("/")
# Signs the audit chain's head so a cut or rewritten chain is detected; keep
# it outside the database, like SECRET_KEY (from which it defaults).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", f"audit-head:{SECRET_KEY}")
# Audit appends go to one of this many chains, each locked on its own (never lower it:
# chains past it are still verified but no longer written); a signed checkpoint of every
# head is written each time a chain's length reaches a multiple of AUDIT_CHECKPOINT_EVERY.
AUDIT_CHAINS = env_int("AUDIT_CHAINS", 32, minimum=1, maximum=1024)
AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 1000, minimum=1)
# The Aadhaar vault (himaccess.vault.keys): AES-256-GCM keys as "id:base64" entries
# (comma- or newline-separated, the first encrypts new rows, the rest only decrypt)
# inline or in a file; a separate HMAC key makes the references and must never
# change. Unset in the embedded profile: generated under SIGNING_KEY_DIR/vault.
VAULT_KEYS = env_str("VAULT_KEYS", "")
VAULT_KEY_FILE = env_str("VAULT_KEY_FILE", "")
VAULT_REFERENCE_KEY = env_str("VAULT_REFERENCE_KEY", "")
VAULT_REFERENCE_KEY_FILE = env_str("VAULT_REFERENCE_KEY_FILE", "")
# e-KYC (himaccess.kyc). The authentication agency (the state's KUA/ASA gateway) answering
# UIDAI's OTP and e-KYC API 2.5; empty: the in-process simulator (refused in production).
KYC_AGENCY_URL = env_str("KYC_AGENCY_URL", "")
KYC_AGENCY_TIMEOUT_SECONDS = env_int("KYC_AGENCY_TIMEOUT_SECONDS", 15, minimum=1, maximum=60)
KYC_AUA_CODE = env_str("KYC_AUA_CODE", "public")
KYC_SUB_AUA_CODE = env_str("KYC_SUB_AUA_CODE", "public")
KYC_AUA_LICENCE_KEY = env_str("KYC_AUA_LICENCE_KEY", "")
KYC_ASA_LICENCE_KEY = env_str("KYC_ASA_LICENCE_KEY", "none")
# Residents the simulator knows (JSON list), for the demo.
KYC_SIMULATOR_RESIDENTS = env_str("KYC_SIMULATOR_RESIDENTS", "")
KYC_CONSENT_MINUTES = env_int("KYC_CONSENT_MINUTES", 30, minimum=5, maximum=240)
# Offline e-KYC: UIDAI's signing certificate (PEM or DER), the file's greatest age, upload limits,
# and wrong share codes allowed per member in 24 hours.
KYC_OFFLINE_UIDAI_CERT_FILE = env_str("KYC_OFFLINE_UIDAI_CERT_FILE", "")
KYC_OFFLINE_MAX_AGE_DAYS = env_int("KYC_OFFLINE_MAX_AGE_DAYS", 3, minimum=1, maximum=30)
KYC_OFFLINE_MAX_UPLOAD_BYTES = env_int("KYC_OFFLINE_MAX_UPLOAD_BYTES", 1_048_576, minimum=10_240)
KYC_OFFLINE_MAX_XML_BYTES = env_int("KYC_OFFLINE_MAX_XML_BYTES", 2_097_152, minimum=10_240)
KYC_OFFLINE_SHARE_CODE_TRIES = env_int("KYC_OFFLINE_SHARE_CODE_TRIES", 5, minimum=1, maximum=20)
# The campaign: its first day (YYYY-MM-DD; empty: the first completion) and length in days.
KYC_CAMPAIGN_START = env_str("KYC_CAMPAIGN_START", "")
KYC_CAMPAIGN_DAYS = env_int("KYC_CAMPAIGN_DAYS", 30, minimum=1, maximum=365)
KYC_REMINDERS_PER_RUN = env_int("KYC_REMINDERS_PER_RUN", 5000, minimum=1, maximum=1_000_000)
# Reverse proxies in front of the app: X-Forwarded-For is trusted only then.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)

# Him Access as an OpenID Connect provider for departmental applications
# (django-oauth-toolkit): authorization code with PKCE S256 only, tokens
# stored hashed, claims released per scope a client is allowed and the
# citizen consented to (himaccess.integrations.oidc).
# django-oauth-toolkit's models are swappable; naming them lets migrations
# of other apps point at them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": load_oidc_private_key(
        pem=env_str("OIDC_RSA_PRIVATE_KEY", ""),
        path=env_str("OIDC_RSA_PRIVATE_KEY_FILE", ""),
        key_dir=SIGNING_KEY_DIR,
    ),
    "OAUTH2_VALIDATOR_CLASS": "himaccess.integrations.oidc.HimAccessValidator",
    # Authorization code (PKCE) and refresh token grants only; password, implicit and others refused.
    "OIDC_SERVER_CLASS": "himaccess.integrations.oidc.CodeFlowServer",
    "SCOPES_BACKEND_CLASS": "himaccess.integrations.oidc.ClientScopes",
    "SCOPES": {
        "openid": "Sign in with Him Access",
        "member_id": "Member ID",
        "family_id": "Family ID",
        "name": "Name in English and Hindi",
        "phone": "Verified mobile number",
        "ekyc": "Aadhaar e-KYC status",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ACCESS_TOKEN_SECONDS", 900, minimum=60, maximum=3600),
    "ID_TOKEN_EXPIRE_SECONDS": 900,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEBUG else ["https"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # The issuer, exactly as relying parties configure it; empty: derived from the request (<host>/o).
    "OIDC_ISS_ENDPOINT": env_str("OIDC_ISSUER", ""),
    # Pairwise by default; public only for a client registered so with a reason (docs/decisions/1122).
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise", "public"],
    # What the token endpoint really accepts: a secret in Basic or the body, or none for a public client.
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    # RP-initiated logout: registered post-logout addresses only, compared exactly (docs/decisions/1123).
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
}
# Keys the pairwise subject identifiers; changing it changes every department's sub for everyone.
OIDC_PAIRWISE_KEY = env_str("OIDC_PAIRWISE_KEY", f"oidc-pairwise:{SECRET_KEY}")

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Defence in depth: masks Aadhaar numbers, codes, tokens and passwords that code should never log.
    "filters": {"redact_secrets": {"()": "himaccess.audit.redaction.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Run in the request (no broker), every task would log a line of its own in the middle of
        # the demo's and the commands' output; a worker keeps them, where they tell operators something.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}
