"""Who may export, import and replace: the model permissions every section's model needs."""

from .schema import SECTIONS


def exported_models():
    """Return every model an export may write: each section's and each nested list's."""
    models = []
    for section in SECTIONS:
        models.append(section.model)
        if section.nested:
            models.append(section.nested.model)
    return models


def may_export(user) -> bool:
    """Whether a user may view every model a document can hold."""
    return all(
        user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        for model in exported_models()
    )


def _has_every(user, actions) -> bool:
    return all(
        user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
        for model in exported_models()
        for action in actions
    )


def may_import(user) -> bool:
    """Whether a user may add and change every model a document can hold."""
    return _has_every(user, ("add", "change"))


def may_replace(user) -> bool:
    """Whether a user may also delete every such model, as a replace does."""
    return _has_every(user, ("add", "change", "delete"))
