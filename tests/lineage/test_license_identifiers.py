"""Licence identifiers: Hugging Face's and GitHub's names normalised to SPDX, each classified into its family, and
SPDX expressions (OR, AND, WITH) read as the best choice and the worst requirement (docs/licenses.md)."""

import pytest

from lineage.domain.licenses import LicenseFamily, family, normalise

F = LicenseFamily


@pytest.mark.parametrize(
    ("identifier", "canonical"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("agpl-3.0", "AGPL-3.0-only"),
        ("bsd-3-clause", "BSD-3-Clause"),
        ("afl-3.0", "AFL-3.0"),
        ("openrail", "LicenseRef-openrail"),
        ("openrail++", "LicenseRef-openrail-pp"),
        ("bigscience-openrail-m", "LicenseRef-bigscience-openrail-m"),
        ("creativeml-openrail-m", "LicenseRef-creativeml-openrail-m"),
        ("llama2", "LicenseRef-llama2"),
        ("llama3", "LicenseRef-llama3"),
        ("llama3.1", "LicenseRef-llama3.1"),
        ("gemma", "LicenseRef-gemma"),
        ("other", "LicenseRef-other"),
        ("bsd", "LicenseRef-bsd"),
        ("odbl", "ODbL-1.0"),
        ("lgpl-lr", "LGPLLR"),
    ],
)
def test_normalises_hugging_face_identifiers(identifier: str, canonical: str) -> None:
    assert normalise(identifier) == canonical


@pytest.mark.parametrize(
    ("spdx_id", "canonical"),
    [
        ("MIT", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("MPL-2.0", "MPL-2.0"),
        ("BSD-2-Clause", "BSD-2-Clause"),
        ("Unlicense", "Unlicense"),
        ("CC0-1.0", "CC0-1.0"),
    ],
)
def test_normalises_github_spdx_ids(spdx_id: str, canonical: str) -> None:
    assert normalise(spdx_id) == canonical


@pytest.mark.parametrize(
    ("identifier", "canonical"),
    [
        ("MIT", "MIT"),
        ("Mit", "MIT"),
        (" mit ", "MIT"),
        ("LLAMA3", "LicenseRef-llama3"),
        ("LicenseRef-Llama3", "LicenseRef-llama3"),
    ],
)
def test_normalisation_ignores_case_and_surrounding_space(identifier: str, canonical: str) -> None:
    assert normalise(identifier) == canonical


@pytest.mark.parametrize("identifier", [None, "", "  ", "NOASSERTION", "noassertion", "NONE", "unknown", "Unknown"])
def test_identifiers_that_say_no_licence_is_known_normalise_to_none(identifier: str | None) -> None:
    assert normalise(identifier) is None


def test_an_unrecognised_licence_name_becomes_a_valid_licence_ref() -> None:
    assert normalise("My Licence v2!") == "LicenseRef-my-licence-v2"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("apache-2.0", F.PERMISSIVE),
        ("mit", F.PERMISSIVE),
        ("bsd-3-clause", F.PERMISSIVE),
        ("afl-3.0", F.PERMISSIVE),
        ("cc-by-4.0", F.PERMISSIVE),
        ("cc0-1.0", F.PERMISSIVE),
        ("unlicense", F.PERMISSIVE),
        ("ISC", F.PERMISSIVE),
        ("zlib", F.PERMISSIVE),
        ("cc-by-sa-4.0", F.WEAK_COPYLEFT),
        ("lgpl-3.0", F.WEAK_COPYLEFT),
        ("mpl-2.0", F.WEAK_COPYLEFT),
        ("epl-2.0", F.WEAK_COPYLEFT),
        ("gpl-3.0", F.STRONG_COPYLEFT),
        ("GPL-2.0", F.STRONG_COPYLEFT),
        ("agpl-3.0", F.NETWORK_COPYLEFT),
        ("osl-3.0", F.NETWORK_COPYLEFT),
        ("eupl-1.1", F.NETWORK_COPYLEFT),
        ("cc-by-nc-4.0", F.NON_COMMERCIAL),
        ("cc-by-nc-sa-4.0", F.NON_COMMERCIAL),
        ("PolyForm-Noncommercial-1.0.0", F.NON_COMMERCIAL),
        ("cc-by-nd-4.0", F.NO_DERIVATIVES),
        ("cc-by-nc-nd-4.0", F.NO_DERIVATIVES),
        ("deepfloyd-if-license", F.NO_DERIVATIVES),
        ("openrail", F.CUSTOM_MODEL),
        ("bigscience-openrail-m", F.CUSTOM_MODEL),
        ("creativeml-openrail-m", F.CUSTOM_MODEL),
        ("llama2", F.CUSTOM_MODEL),
        ("llama3", F.CUSTOM_MODEL),
        ("llama3.1", F.CUSTOM_MODEL),
        ("gemma", F.CUSTOM_MODEL),
        ("other", F.UNKNOWN),
        ("unknown", F.UNKNOWN),
        ("cc", F.UNKNOWN),
        ("NOASSERTION", F.UNKNOWN),
        ("LicenseRef-made-up", F.UNKNOWN),
        (None, F.UNKNOWN),
    ],
)
def test_classifies_identifiers_into_families(identifier: str | None, expected: LicenseFamily) -> None:
    assert family(identifier) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT OR AGPL-3.0", F.PERMISSIVE),
        ("AGPL-3.0 OR MIT", F.PERMISSIVE),
        ("MIT AND AGPL-3.0", F.NETWORK_COPYLEFT),
        ("apache-2.0 AND cc-by-nc-4.0", F.NON_COMMERCIAL),
        ("(MIT OR cc-by-nc-4.0) AND llama3", F.CUSTOM_MODEL),
        ("GPL-2.0-only WITH Classpath-exception-2.0", F.WEAK_COPYLEFT),
        ("GPL-2.0-or-later WITH GCC-exception-3.1", F.WEAK_COPYLEFT),
        ("GPL-3.0-only WITH LicenseRef-made-up-exception", F.STRONG_COPYLEFT),
        ("AGPL-3.0-only WITH Classpath-exception-2.0", F.NETWORK_COPYLEFT),
        ("Apache-2.0 WITH LLVM-exception", F.PERMISSIVE),
        ("MIT OR LicenseRef-made-up", F.PERMISSIVE),
        ("MIT AND LicenseRef-made-up", F.UNKNOWN),
        ("MIT OR NOASSERTION", F.PERMISSIVE),
        ("MIT AND", F.UNKNOWN),
        ("(MIT", F.UNKNOWN),
        ("MIT OR OR Apache-2.0", F.UNKNOWN),
    ],
)
def test_spdx_expressions_take_the_best_choice_of_or_and_the_worst_of_and(
    expression: str, expected: LicenseFamily
) -> None:
    assert family(expression) is expected
