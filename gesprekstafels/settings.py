"""Settings for Gesprekstafels, read from the environment with local defaults.

Local development needs nothing: SQLite, debug on, mail to the console. Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and the EMAIL_* values.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(int(default))).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "insecure-development-key-only-for-local-use"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks_db",
    "kader",
    "draaiboeken",
    "sessies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, from SECURE_CSP below.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gesprekstafels.lib.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user; login, static files and i18n switch are exempt.
    # htmx requests without a login get 401 instead of a redirect (see the class).
    "gesprekstafels.lib.middleware.HtmxLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a login.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "gesprekstafels.urls"
WSGI_APPLICATION = "gesprekstafels.wsgi.application"

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
                "kader.context_processors.access",
                "sessies.context_processors.access",
            ],
            # App-neutral tags live with the project's helpers, not in one of the apps.
            "libraries": {"timing": "gesprekstafels.lib.templatetags.timing"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The ASGI server runs views, live streams and the mail worker side by side: readers never
    # wait for the writer (WAL), a write transaction takes its lock at the start instead of
    # failing halfway (IMMEDIATE), and a busy database is waited for, not refused.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database, so logging out (or "log out everywhere") ends them on the
# server: a copied cookie stops working. Not cached_db: with the default per-process cache a
# logout would leave the session cached in the other gunicorn workers. The price is one
# primary-key query per request, the live poll included (bench/poll_bench.py measures it).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# The CSRF cookie stays readable (Django's default): after signing in again in another tab,
# static/js/saving.js reads the new token from it so a kept note can still be sent.
CSRF_COOKIE_HTTPONLY = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address for throttling. Behind N proxies that each append to X-Forwarded-For,
# the client is the N-th entry from the right; entries further left come from the client and
# are not trusted. With 0 (no proxy) only REMOTE_ADDR counts and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
# django-ipware counts the proxies listed in the header, which leaves out the last one (that
# is REMOTE_ADDR); not strict, so extra entries the client sent on the left are skipped.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
IPWARE_STRICT = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Photos of flip-overs from a phone camera; larger uploads are refused with a message (sessies.photos).
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("DJANGO_PHOTO_MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console locally; SMTP when EMAIL_HOST is given, and always in production (a console
# backend there would mark reports as sent that never left the server).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Gesprekstafels <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work (report mail) through django.tasks, stored in the database and run by
# `manage.py db_worker` (django-tasks-db), so no request waits for or is killed during an SMTP
# conversation.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# How often the live views poll the session state, in milliseconds.
# Live screens get changes pushed (sessies.views.stream, served by uvicorn); they poll every
# LIVE_POLL_INTERVAL_MS only when no stream gets through (a proxy that buffers or drops it).
LIVE_POLL_INTERVAL_MS = int(os.environ.get("LIVE_POLL_INTERVAL_MS", "2000"))
# A stream that has not said "ready" within this time is taken to be held back by a proxy.
LIVE_FIRST_EVENT_MS = int(os.environ.get("LIVE_FIRST_EVENT_MS", "5000"))
# An idle stream sends a heartbeat this often (no database query); the page reconnects after
# three missed ones. Proxies must allow a read timeout longer than this.
LIVE_STREAM_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_STREAM_HEARTBEAT_SECONDS", "15"))
# How long the browser waits before reconnecting a dropped stream (EventSource's retry).
LIVE_STREAM_RETRY_MS = int(os.environ.get("LIVE_STREAM_RETRY_MS", "1000"))
# "postgres" (LISTEN/NOTIFY: several app processes and machines) or "local" (one process);
# empty: chosen by the database (sessies.push.backend).
LIVE_PUSH_BACKEND = os.environ.get("LIVE_PUSH_BACKEND", "")
# Threads per app process that render pushed changes, each with its own database connection.
LIVE_RENDER_THREADS = int(os.environ.get("LIVE_RENDER_THREADS", "16"))
# Participants' phones (sessies.participation): answers per phone, and per session, per minute.
# 30 phones sending two answers a minute each stay well within the session's limit.
PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE = int(os.environ.get("PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE", "6"))
PARTICIPANT_PROPOSALS_PER_SESSION_PER_MINUTE = int(
    os.environ.get("PARTICIPANT_PROPOSALS_PER_SESSION_PER_MINUTE", "120")
)
# WhiteNoise serves static files with a sync file iterator, which Django under ASGI runs in a
# thread and warns about each time; the files arrive whole, so the warning says nothing new.
warnings.filterwarnings("ignore", "StreamingHttpResponse must consume synchronous iterators")

# Personal data (AVG): contacts' and participants' addresses are removed this many days after
# their project ended (`manage.py forget_contacts`); whom to ask, shown on the privacy page.
CONTACT_RETENTION_DAYS = int(os.environ.get("DJANGO_CONTACT_RETENTION_DAYS", "365"))
PRIVACY_CONTACT_EMAIL = os.environ.get("DJANGO_PRIVACY_CONTACT_EMAIL", "")

# How many days a personal link to review a draft report works (sessies.review); "send again" renews it.
REVIEW_LINK_DAYS = int(os.environ.get("DJANGO_REVIEW_LINK_DAYS", "14"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy: scripts, styles, fonts and requests only from this site; no inline
# script, handler or style attribute anywhere (the JS lives in static/js, htmx's indicator CSS
# in static/css). Images also from data: URIs, which Bootstrap's CSS uses for its icons.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
