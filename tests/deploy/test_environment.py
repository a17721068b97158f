"""The settings come from the environment: safe and local when unset, strict when set."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from bakery import settings as project_settings
from tests.deploy.support import environment, settings_of, start_settings

HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]


def test_with_nothing_set_debug_is_off_and_the_site_runs_locally_over_http(tmp_path):
    env = environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"))

    seen = settings_of(env, "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", *HTTPS_SETTINGS)

    assert seen == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "testserver"],
        "CSRF_TRUSTED_ORIGINS": [],
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_a_server_sets_hosts_origins_debug_and_https_from_the_environment(tmp_path):
    env = environment(
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DJANGO_ALLOWED_HOSTS=" bakery.example.com, shop.example.com ,",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://shop.example.com,https://bakery.example.com:8443",
        DJANGO_DEBUG="True",
        DJANGO_HTTPS="YES",
    )

    seen = settings_of(env, "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", *HTTPS_SETTINGS)

    assert seen == {
        "DEBUG": True,
        "ALLOWED_HOSTS": ["bakery.example.com", "shop.example.com"],
        "CSRF_TRUSTED_ORIGINS": ["https://shop.example.com", "https://bakery.example.com:8443"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_the_hsts_duration_is_set_by_the_environment(tmp_path):
    env = environment(
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DJANGO_HTTPS="1",
        DJANGO_HSTS_SECONDS="3600",
    )

    assert settings_of(env, "SECURE_HSTS_SECONDS") == {"SECURE_HSTS_SECONDS": 3600}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("True", True),
        ("YES", True),
        (" yes ", True),
        ("0", False),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("", False),
    ],
)
def test_a_yes_no_variable_takes_1_0_true_false_yes_no(monkeypatch, value, expected):
    monkeypatch.setenv("DJANGO_HTTPS", value)

    assert project_settings._env_bool("DJANGO_HTTPS", default=False) is expected


@pytest.mark.parametrize("value", ["on", "off", "2", "y", "n", "enabled", "1 0", "tru"])
def test_any_other_yes_no_value_is_an_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("DJANGO_HTTPS", value)

    with pytest.raises(ImproperlyConfigured, match=f"DJANGO_HTTPS must be .*{value!r}"):
        project_settings._env_bool("DJANGO_HTTPS", default=False)


@pytest.mark.parametrize("value", ["-1", "a year", "1.5", "1e6"])
def test_the_hsts_duration_is_a_whole_number_of_seconds(monkeypatch, value):
    monkeypatch.setenv("DJANGO_HSTS_SECONDS", value)

    with pytest.raises(ImproperlyConfigured, match="DJANGO_HSTS_SECONDS must be a whole number"):
        project_settings._env_seconds("DJANGO_HSTS_SECONDS", 0)


@pytest.mark.parametrize("name", ["DJANGO_DEBUG", "DJANGO_HTTPS"])
def test_a_process_with_a_wrong_yes_no_value_does_not_start(tmp_path, name):
    env = environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"), **{name: "maybe"})

    done = start_settings(env, "DEBUG")

    assert done.returncode != 0
    assert done.stdout == ""
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: "
        f"{name} must be 1, 0, true, false, yes or no, not 'maybe'."
    )


def test_the_time_zone_is_set_by_the_environment(tmp_path):
    env = environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "secret_key"))

    assert settings_of(env, "TIME_ZONE") == {"TIME_ZONE": "UTC"}
    env["DJANGO_TIME_ZONE"] = " America/Chicago "
    assert settings_of(env, "TIME_ZONE") == {"TIME_ZONE": "America/Chicago"}


@pytest.mark.parametrize("value", ["Mars/Olympus", "../etc/passwd", "GMT+25", "europe berlin"])
def test_an_unknown_time_zone_is_an_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("DJANGO_TIME_ZONE", value)

    said = f"DJANGO_TIME_ZONE must be .*{re.escape(repr(value))}"
    with pytest.raises(ImproperlyConfigured, match=said):
        project_settings._env_time_zone("DJANGO_TIME_ZONE", "UTC")
