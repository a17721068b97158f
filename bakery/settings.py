"""Settings for the bakery project.

Everything that differs between a laptop and a server comes from the environment (README,
"Running it for a small shop"); with none of it set, the site runs locally over http.
"""

import contextlib
import os
import secrets
import tempfile
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


def _env(name: str) -> str | None:
    """Return the variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def _env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; a value that is neither is an error, never a silent no."""
    value = _env(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1, 0, true, false, yes or no, not {value!r}.")


def _env_seconds(name: str, default: int) -> int:
    """Read a whole number of seconds, 0 or more."""
    value = _env(name)
    if value is None:
        return default
    try:
        seconds = int(value.strip())
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {value!r}.")
    return seconds


def _env_time_zone(name: str, default: str) -> str:
    """Read an IANA time zone name ("Europe/Berlin"); an unknown one is an error."""
    value = _env(name)
    if value is None:
        return default
    zone = value.strip()
    try:
        zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as Europe/Berlin or America/Chicago, "
            f"not {value!r}."
        ) from None
    return zone


def _env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring spaces around the items and empty items."""
    value = _env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_key_file() -> Path:
    """Where this installation keeps its generated secret key: never inside the code."""
    given = _env("DJANGO_SECRET_KEY_FILE")
    if given is not None:
        path = Path(given)
        if not path.is_absolute():
            raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE must be an absolute path: {given}")
    else:
        # The XDG base directory rules: a relative XDG_DATA_HOME is to be ignored.
        data_home = _env("XDG_DATA_HOME")
        try:
            if data_home and os.path.isabs(data_home):
                base = Path(data_home)
            else:
                base = Path.home() / ".local" / "share"
        except RuntimeError as error:
            raise ImproperlyConfigured(
                f"No DJANGO_SECRET_KEY is set and there is no home directory to keep one in "
                f"({error}); set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE."
            ) from error
        path = base / "bakery" / "secret_key"
    # A key written into the code's directory could end up in the repository or a package.
    if path.resolve().is_relative_to(BASE_DIR):
        raise ImproperlyConfigured(
            f"The secret key file {path} is inside the project ({BASE_DIR}); "
            f"set DJANGO_SECRET_KEY_FILE to a path outside it."
        )
    return path


def _read_secret_key(path: Path) -> str | None:
    """Return the key kept in path, or None when there is none yet."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeError) as error:
        raise ImproperlyConfigured(
            f"No DJANGO_SECRET_KEY is set and the secret key file {path} cannot be read "
            f"({error}); set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a readable file."
        ) from error
    if not key:
        raise ImproperlyConfigured(
            f"The secret key file {path} is empty; delete it to have a new key made."
        )
    return key


def _read_or_create_secret_key(path: Path) -> str:
    """Return the key kept in path, making it first if there is none.

    The new key is written whole to a private temporary file, then linked to its name: a
    reader never sees half a key, and when processes start together the first link wins and
    the others read its key.
    """
    key = _read_secret_key(path)
    if key is not None:
        return key
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp makes the file readable and writable by its owner only (0600).
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
                file.flush()
                os.fsync(file.fileno())
            # Fails when another process made the key first: then its key is the one.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    except OSError as error:
        raise ImproperlyConfigured(
            f"No DJANGO_SECRET_KEY is set and the secret key file {path} cannot be made "
            f"({error}); set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a writable path."
        ) from error
    key = _read_secret_key(path)
    if key is None:
        raise ImproperlyConfigured(f"The secret key file {path} was removed as it was made.")
    return key


# Sessions, password reset links and CSRF tokens are signed with this key. Without
# DJANGO_SECRET_KEY each installation makes its own on first use and keeps it outside the code.
SECRET_KEY = _env("DJANGO_SECRET_KEY") or _read_or_create_secret_key(_secret_key_file())
# Debug pages show code and settings to whoever gets an error: only on request.
DEBUG = _env_bool("DJANGO_DEBUG", False)
# The local defaults let `runserver` answer on localhost and the test client as testserver.
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Served over HTTPS only: http is redirected, cookies never travel in clear, and browsers are
# told (HSTS) to use HTTPS alone for this host and its subdomains. Off, local http keeps working.
_https = _env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = _https
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
_hsts_seconds = _env_seconds("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_SECONDS = _hsts_seconds if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
# The preload directive lets anyone put the domain on the browsers' built-in HTTPS-only list,
# which takes months to leave: that is its owner's decision, made at hstspreload.org, not a
# default of this application. So it is not sent, and the check that asks for it is silenced.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver leaves static files to WhiteNoise, as a server does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bakery",
    "production",
    "exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bakery.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "bakery.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
# The baker's own day: "today" of the index's upcoming events, of event_plan and seed_demo.
TIME_ZONE = _env_time_zone("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# WhiteNoise serves the static files (the admin's CSS and scripts) from where the apps keep
# them, debug on or off, under runserver or a WSGI server alike. So there is no collectstatic
# step and no STATIC_ROOT (WhiteNoise would warn at every start that its directory is missing).
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True

# The largest file the admin's import page accepts; larger ones go through import_bakery.
BAKERY_IMPORT_MAX_UPLOAD_SIZE = 100 * 1024**2
