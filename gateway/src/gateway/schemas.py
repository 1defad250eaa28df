"""HTTP request bodies, mirroring the spec's schemas.

The spec does not forbid extra properties, so unknown fields are ignored; declared fields are type-checked
(pydantic never turns a number into a string, so a number is not a url).
"""

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool

from contracts.artifacts import ArtifactMetadata, ArtifactQuery
from contracts.users import NewPassword, Permission, UserName, default_permissions


class SpecBody(BaseModel):
    """Base for request bodies: unknown fields ignored."""

    model_config = ConfigDict(extra="ignore")


class ArtifactDataIn(SpecBody):
    """``ArtifactData`` as sent to ``POST /artifact/{type}``; ``name`` is what real clients add."""

    url: str = Field(min_length=1, max_length=4096)
    name: str | None = None


class ArtifactIn(SpecBody):
    """``Artifact`` as sent to ``PUT /artifacts/{type}/{id}``."""

    metadata: ArtifactMetadata
    data: ArtifactDataIn


class QueryList(RootModel[list[ArtifactQuery]]):
    """The body of ``POST /artifacts``: a non-empty array of ``ArtifactQuery``."""

    root: list[ArtifactQuery] = Field(min_length=1, max_length=100)


class RegexIn(SpecBody):
    """``ArtifactRegEx``."""

    regex: str


class UserIn(SpecBody):
    """``User``."""

    name: str
    is_admin: StrictBool


class SecretIn(SpecBody):
    """``UserAuthenticationInfo``."""

    password: str


class AuthenticationIn(SpecBody):
    """``AuthenticationRequest``."""

    user: UserIn
    secret: SecretIn


class NewUserIn(SpecBody):
    """Body of ``POST /users`` (our addition)."""

    name: UserName
    password: NewPassword
    is_admin: bool = False
    permissions: list[Permission] = Field(default_factory=default_permissions)


class PermissionsIn(SpecBody):
    """Body of ``PUT /users/{name}/permissions`` (our addition)."""

    permissions: list[Permission]


class UploadStartIn(SpecBody):
    """Body of ``POST /artifact/{artifact_type}/upload`` (our addition): the file's name and exact size."""

    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\]+$")
    size: int = Field(ge=0)


class UploadCompleteIn(SpecBody):
    """Body of ``POST /artifact/{artifact_type}/upload/{upload_id}`` (our addition)."""

    name: str
    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\]+$")
    card: str = Field(default="", max_length=1 << 19, description="The model card (markdown, YAML front matter).")


class LicenseCheckIn(SpecBody):
    """``SimpleLicenseCheckRequest``."""

    github_url: str = Field(min_length=1, max_length=2048)
