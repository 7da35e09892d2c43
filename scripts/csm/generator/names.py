"""Word lists for synthetic names, company domains and free text (no real people)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "ada alan alice amir ana arjun ben bianca carla chen chloe daniel dara diego elena emma "
    "eric fatima felix grace hana hugo ines ivan jade james jana jorge julia kai kenji lara "
    "leo lina lucas maya mei mila nadia noah nora omar oscar paula priya rafael rosa sam "
    "sara sofia tariq theo uma victor wei yara yusuf zoe"
)
LAST_NAMES = _words(
    "adams alvarez baker bauer chen costa cruz das diaz evans fischer garcia gomez gupta "
    "hall hansen ito jensen jones kim kowalski kumar lee lopez martin meyer miller moreau "
    "nakamura nguyen novak okafor olsen park patel perez petrov rossi santos schmidt silva "
    "singh smith suzuki tanaka taylor torres walker wang weber white wilson yamamoto zhang"
)
COMPANY_FIRST = _words(
    "acme apex arbor atlas aurora beacon birch blue bright cedar cobalt coral crest delta "
    "ember everest falcon fern frontier granite harbor helix horizon indigo iron juniper "
    "keystone lumen maple meridian nimbus north nova oak orbit pacific pine polar prairie "
    "quartz redwood river sage sierra silver summit terra tidal vertex willow zenith"
)
COMPANY_SECOND = _words(
    "analytics bio capital cloud data dynamics energy foods freight health labs learning "
    "logistics media medical networks partners retail robotics security software solutions "
    "systems tech ventures works"
)
COMPANY_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "Corp", "SA", "BV", "AG")
CSM_TEAMS = ("CS SMB", "CS Mid-Market", "CS Enterprise")
AGENT_TEAMS = ("Frontline", "Technical Support", "Support Engineering")

COMMENTS_POSITIVE = (
    "Quick and helpful, thanks!",
    "Great support, issue solved fast.",
    "Love the new dashboards.",
    "The team was very responsive.",
    "Everything works as expected.",
    "Onboarding was smooth.",
)
COMMENTS_NEUTRAL = (
    "It was ok.",
    "Solved eventually.",
    "Documentation could be clearer.",
    "Fine, but took a while.",
    "Would like more integrations.",
)
COMMENTS_NEGATIVE = (
    "Took far too long to get an answer.",
    "Still not fixed.",
    "Reports keep timing out.",
    "Too expensive for what we use.",
    "We are evaluating other tools.",
    "Nobody followed up on my request.",
)
PII_PREFIXES = ("Please call me at ", "Reach me directly at ", "Contact me: ")


def person_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices into FIRST_NAMES and LAST_NAMES."""
    return rng.integers(0, len(FIRST_NAMES), n), rng.integers(0, len(LAST_NAMES), n)


def full_names(first: np.ndarray, last: np.ndarray) -> list[str]:
    return [
        f"{FIRST_NAMES[f].title()} {LAST_NAMES[s].title()}"
        for f, s in zip(first, last, strict=True)
    ]


def staff_emails(first: np.ndarray, last: np.ndarray, domain: str) -> list[str]:
    seen: dict[str, int] = {}
    emails = []
    for f, s in zip(first, last, strict=True):
        local = f"{FIRST_NAMES[f]}.{LAST_NAMES[s]}"
        seen[local] = seen.get(local, 0) + 1
        suffix = "" if seen[local] == 1 else str(seen[local])
        emails.append(f"{local}{suffix}@{domain}")
    return emails


def companies(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Company names and their (synthetic) email domains."""
    first = rng.integers(0, len(COMPANY_FIRST), n)
    second = rng.integers(0, len(COMPANY_SECOND), n)
    suffix = rng.integers(0, len(COMPANY_SUFFIX), n)
    names, domains = [], []
    used: dict[str, int] = {}
    for i in range(n):
        base = f"{COMPANY_FIRST[first[i]]} {COMPANY_SECOND[second[i]]}"
        used[base] = used.get(base, 0) + 1
        number = "" if used[base] == 1 else f" {used[base]}"
        names.append(f"{base.title()}{number} {COMPANY_SUFFIX[suffix[i]]}")
        slug = base.replace(" ", "") + ("" if used[base] == 1 else str(used[base]))
        domains.append(f"{slug}.example.com")
    return names, domains


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'prefix' + zero-padded number, built in Arrow (fast for event-scale columns)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def with_nulls(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """`values` with nulls where mask is true."""
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


def account_ids(index: np.ndarray) -> pa.Array:
    """Account id of each 0-based account index."""
    return prefixed_ids("acc_", np.asarray(index) + 1, 6)
