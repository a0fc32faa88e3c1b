"""UnionHome settings: one file, driven by environment variables with safe defaults.

Profiles: ``UNIONHOME_PROFILE=development`` (default: embedded SQLite, demo data allowed) and
``production`` (PostgreSQL with a connection pool, secure cookies, refuses demo accounts).
Every variable is documented in ``.env.example``.
"""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("UNIONHOME_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


PROFILE = env("UNIONHOME_PROFILE", "development")
PRODUCTION = PROFILE == "production"
DEBUG = env_bool("UNIONHOME_DEBUG", False)

SECRET_KEY = env("UNIONHOME_SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-change-me-0123456789")
if not SECRET_KEY:
    raise RuntimeError("UNIONHOME_SECRET_KEY must be set in the production profile")

ALLOWED_HOSTS = [h for h in env("UNIONHOME_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("UNIONHOME_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "unionhome.access.admin_apps.PolicyAdminConfig",  # django.contrib.admin under the permission policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "unionhome.accounts",
    "unionhome.access",
    "unionhome.audit",
    "unionhome.org",
    "unionhome.home",
    "unionhome.notify",
    "unionhome.satisfaction",
    "unionhome.assistance",
    "unionhome.disclosure",
    "unionhome.congress",
    "unionhome.workdays",
    "unionhome.voices",
    "unionhome.surveys",
    "unionhome.work_report",
    "unionhome.api",
    "unionhome.demo",
    "unionhome.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # The vote's live turnout for a hall of phones, before the heavy middleware (see congress/live.py).
    "unionhome.congress.live.LiveTurnoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "unionhome.accounts.middleware.SessionLimitsMiddleware",
    "unionhome.accounts.middleware.SecondFactorMiddleware",
    "unionhome.accounts.middleware.PasswordChangeRequiredMiddleware",
    "unionhome.audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unionhome.access.middleware.PermissionDeniedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionhome.urls"
WSGI_APPLICATION = "unionhome.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "unionhome" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "unionhome.home.context_processors.navigation",
                "unionhome.notify.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user:pass@host:port/name); without it the embedded
# SQLite file under var/ is used, in WAL mode with IMMEDIATE transactions so that concurrent
# writers wait for each other instead of failing with "database is locked".
DATABASE_URL = env("DATABASE_URL")


def _postgres(url: str) -> dict:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    options: dict = {}
    if env_bool("UNIONHOME_DB_POOL", PRODUCTION):
        options["pool"] = {
            "min_size": env_int("UNIONHOME_DB_POOL_MIN", 2),
            "max_size": env_int("UNIONHOME_DB_POOL_MAX", 10),
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
        "TEST": {"NAME": env("UNIONHOME_TEST_DB_NAME", "test_unionhome")},
    }


if DATABASE_URL.startswith(("postgres://", "postgresql://")):
    DATABASES = {"default": _postgres(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("UNIONHOME_SQLITE_PATH", str(VAR_DIR / "unionhome.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;PRAGMA mmap_size=268435456;PRAGMA temp_store=MEMORY;"
                ),
            },
            # Tests use a file too (not ":memory:"), one per process, so that the live server, the
            # browser and the task worker each open their own connection, as in production.
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"unionhome-test-{os.getpid()}.sqlite3")},
            # Each server thread keeps its connection: opening SQLite and running the PRAGMAs costs about a
            # millisecond of CPU, on every request otherwise.
            "CONN_MAX_AGE": env_int("UNIONHOME_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (``include=``) serve PostgreSQL; SQLite builds them without the extra columns, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts, sessions, second factor --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "unionhome.accounts.backends.LoginIdBackend",
]
# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): unionhome/accounts/hashers.py, docs/deploy.md.
# Hashes made with Django's default parameters still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "unionhome.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "unionhome.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout: the session cookie expires this many seconds after the last request.
SESSION_COOKIE_AGE = env_int("UNIONHOME_SESSION_IDLE_SECONDS", 30 * 60)
# Sessions live in the database; the idle expiry is renewed once it has run down by a minute, not
# written on every request (unionhome/accounts/sessions.py).
SESSION_ENGINE = "unionhome.accounts.sessions"
UNIONHOME_SESSION_RENEW_SECONDS = env_int("UNIONHOME_SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: a session ends this long after login whatever the activity.
UNIONHOME_SESSION_ABSOLUTE_SECONDS = env_int("UNIONHOME_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "unionhome.home.views.csrf_failure"

OTP_TOTP_ISSUER = "UnionHome"
# Each wrong TOTP code doubles the wait before the next try: 1, 2, 4, 8… seconds (django-otp throttling).
OTP_TOTP_THROTTLE_FACTOR = env_int("UNIONHOME_TOTP_THROTTLE_FACTOR", 1)
UNIONHOME_API_TOKEN_HOURS = env_int("UNIONHOME_API_TOKEN_HOURS", 12)

AXES_FAILURE_LIMIT = env_int("UNIONHOME_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("UNIONHOME_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# Failures by username, employee number or mobile all count against the one account they resolve to.
AXES_USERNAME_CALLABLE = "unionhome.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "unionhome.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("UNIONHOME_AXES_ENABLED", True)

# --- Uploads -----------------------------------------------------------------------------------
UNIONHOME_MAX_UPLOAD_BYTES = env_int("UNIONHOME_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Most member rows one roster import may hold (larger rosters are split into several files).
UNIONHOME_IMPORT_MAX_ROWS = env_int("UNIONHOME_IMPORT_MAX_ROWS", 200_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
MEDIA_ROOT = VAR_DIR / "uploads"  # outside the web root; never served directly
# Case documents (hardship files, education aid proofs): outside the web root, encrypted, served only
# through a view that checks the permission policy and records the read.
UNIONHOME_PRIVATE_ROOT = Path(env("UNIONHOME_PRIVATE_ROOT", str(VAR_DIR / "private")))
UNIONHOME_MAX_DOCUMENT_BYTES = env_int("UNIONHOME_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)

# --- Encryption at rest (unionhome/encryption.py) ------------------------------------------------
UNIONHOME_FIELD_KEYS = [k for k in env("UNIONHOME_FIELD_KEYS", "").split(",") if k.strip()]
if PRODUCTION and not UNIONHOME_FIELD_KEYS:
    raise RuntimeError("UNIONHOME_FIELD_KEYS must be set in the production profile")

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("UNIONHOME_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("UNIONHOME_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "unionhome" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("UNIONHOME_MANIFEST_STATIC", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security ------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content Security Policy (django-csp): only our own scripts and styles, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("UNIONHOME_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("UNIONHOME_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Mail (notifications) -------------------------------------------------------------------------
# Notifications go to a person's inbox and, when they gave an address, by email (unionhome/notify).
# Without UNIONHOME_EMAIL_HOST, development prints mail to the console and production hands it to a
# mail server on this machine (127.0.0.1:25).
EMAIL_HOST = env("UNIONHOME_EMAIL_HOST", "")
if EMAIL_HOST or PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = EMAIL_HOST or "127.0.0.1"
EMAIL_PORT = env_int("UNIONHOME_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("UNIONHOME_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("UNIONHOME_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("UNIONHOME_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("UNIONHOME_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("UNIONHOME_EMAIL_FROM", env("UNIONHOME_FROM_EMAIL", "unionhome@localhost"))
# The site's address as people reach it (https://union.example.com), for links in emails; none when empty.
UNIONHOME_SITE_URL = env("UNIONHOME_SITE_URL", "").rstrip("/")

# --- Notification deliveries (unionhome/notify, docs/notify.md) ----------------------------------------------
UNIONHOME_NOTIFY_MAX_ATTEMPTS = env_int("UNIONHOME_NOTIFY_MAX_ATTEMPTS", 6)
UNIONHOME_NOTIFY_BACKOFF_SECONDS = env_int("UNIONHOME_NOTIFY_BACKOFF_SECONDS", 30)
UNIONHOME_NOTIFY_BACKOFF_MAX_SECONDS = env_int("UNIONHOME_NOTIFY_BACKOFF_MAX_SECONDS", 3600)
UNIONHOME_NOTIFY_TIMEOUT_SECONDS = float(env("UNIONHOME_NOTIFY_TIMEOUT_SECONDS", "5"))
UNIONHOME_NOTIFY_CLAIM_TIMEOUT_SECONDS = env_int("UNIONHOME_NOTIFY_CLAIM_TIMEOUT_SECONDS", 300)
UNIONHOME_NOTIFY_LOST_AFTER_SECONDS = env_int("UNIONHOME_NOTIFY_LOST_AFTER_SECONDS", 120)
# Extra webhook hosts allowed besides qyapi.weixin.qq.com and oapi.dingtalk.com, over http too (tests and
# development: 127.0.0.1). Leave empty in production.
UNIONHOME_NOTIFY_WEBHOOK_HOSTS = [h.strip() for h in env("UNIONHOME_NOTIFY_WEBHOOK_HOSTS", "").split(",") if h.strip()]

# --- Satisfaction (unionhome/satisfaction) -----------------------------------------------------------
# How many days after giving a rating its member may still change it.
SATISFACTION_EDIT_DAYS = env_int("UNIONHOME_SATISFACTION_EDIT_DAYS", 7)

# --- Logging: never personal data, never request bodies --------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Nothing about the pages of anonymous appeals (unionhome/server/access_log.py).
    "filters": {"anonymous_paths": {"()": "unionhome.server.access_log.AnonymousPathsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["anonymous_paths"]}},
    "root": {"handlers": ["console"], "level": env("UNIONHOME_LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "ERROR"},
        "django_tasks_db": {"level": "WARNING"},
        # Pillow logs every EXIF tag it reads at DEBUG, GPS position included.
        "PIL": {"level": "INFO"},
    },
}
