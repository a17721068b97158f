"""The forms of the admin's import page: the upload, and the confirmation of a preview."""

from pathlib import PurePath

from django import forms
from django.template.defaultfilters import filesizeformat

from .streams import COMPRESSIONS

SUFFIXES = (".json", *COMPRESSIONS)

MODE_CHOICES = (
    ("merge", "Merge: add what is new, leave existing records as they are"),
    ("update", "Update: add what is new, set the fields each record of the file gives"),
    (
        "replace",
        "Replace: delete the file's scope first (every record, or the file's events and "
        "theirs), then load the file",
    ),
)


def upload_suffix(name: str) -> str:
    """Return the suffix that tells how a file is compressed (.json for a plain document)."""
    return PurePath(name).suffix.lower()


class ImportForm(forms.Form):
    # The mode comes before the file: a too-large upload is cut off there, and the fields
    # sent before it are still read.
    mode = forms.ChoiceField(choices=MODE_CHOICES, initial="merge", widget=forms.RadioSelect)
    file = forms.FileField(
        label="Bakery file",
        help_text="An exchange document as export_bakery or the admin's export writes it: "
        ".json, or compressed as .gz, .bz2, .xz or .zip.",
    )

    def __init__(self, *args, allow_replace: bool, max_size: int, too_large: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_size = max_size
        self.too_large = too_large
        if not allow_replace:
            self.fields["mode"].choices = [c for c in MODE_CHOICES if c[0] != "replace"]
        self.fields["file"].widget.attrs["accept"] = ",".join(SUFFIXES)

    def too_large_message(self) -> str:
        return (
            f"The file is larger than the upload limit of {filesizeformat(self.max_size)} "
            "(the BAKERY_IMPORT_MAX_UPLOAD_SIZE setting); nothing was uploaded. Import it "
            "with the import_bakery command, or ask for a higher limit."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload_suffix(upload.name) not in SUFFIXES:
            raise forms.ValidationError(
                "Choose a .json file, or one compressed as .gz, .bz2, .xz or .zip; got %(name)s.",
                code="suffix",
                params={"name": upload.name},
            )
        if upload.size > self.max_size:
            raise forms.ValidationError(self.too_large_message(), code="too_large")
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            # The upload was stopped at the limit, so the file field is missing: say why.
            self.errors.pop("file", None)
            self.add_error("file", forms.ValidationError(self.too_large_message(), "too_large"))
        return cleaned


class ConfirmForm(forms.Form):
    """What the preview page sends back: which upload, its checksum, and for replace the count."""

    token = forms.CharField(widget=forms.HiddenInput)
    sha256 = forms.CharField(widget=forms.HiddenInput)
    # Replace mode only: the number of records the user agreed to delete.
    delete_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
