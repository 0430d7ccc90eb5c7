"""A synthetic demo authority: realistic UK-style families, schools and GPs, written as the real CSV
formats so that the demo (and the benchmark) go through the real import path.

Everything is invented: the postcode area "DB" (Demo Borough) does not exist, phone numbers are in
Ofcom's drama ranges (0113 496 0xxx, 07700 900xxx), so no demo record can point at a real place.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shielddesk.imports.population import CHILD_COLUMNS, INVOLVEMENT_COLUMNS

SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White "
    "Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward Hughes Moore "
    "Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James Bennett Young Phillips "
    "Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall "
    "Simpson Price Anderson Adams Wilkinson Ali Ahmed Foster Ellis Murphy Chapman Mason Gray Richards Webb Griffiths "
    "Hunt Palmer Campbell Holmes Mills Rogers Barnes Knight Matthews Barker Powell Stevens Kaur Fisher Butler Dixon "
    "Russell Harvey Pearson Graham Fletcher Howard Walsh O'Brien O'Connor McDonald MacLeod Nowak Kowalski Okafor "
    "Adeyemi Mensah Osei Nguyen Chen Wong Rahman Chowdhury Mahmood Iqbal Sharma Gill Sandhu Da-Silva Smith-Jones "
    "Fox Lloyd Owen Pritchard Vaughan Rees Duffy Doyle Byrne Quinn Nolan Connolly Reid Fraser Stewart Robertson"
).split()
BOY_NAMES = (
    "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas Freddie Alfie Theo William "
    "Henry Archie Joshua Lucas Isaac Edward Finley Teddy Mason Ethan Max Aiden Aidan Adam Logan Reuben Ibrahim "
    "Yusuf Kai Ezra Rory Callum Jayden Dylan Rhys Owen Tyler Kacper Jakub Tobi Kwame Samuel Daniel Joseph Louie"
).split()
GIRL_NAMES = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Sophie Grace Freya Willow Florence Emily Ella "
    "Poppy Evie Elsie Charlotte Evelyn Sienna Daisy Phoebe Sienna Maya Aisha Fatima Zara Hannah Amira Chloe "
    "Jessica Ruby Layla Eleanor Harper Millie Erin Megan Niamh Zofia Amara Chidinma Abena Priya Anaya Leah Zoë"
).split()
MIDDLE = "James Marie Rose Louise Alexander John Grace May Lee Ann Jane David Elizabeth Ali Kaur Singh".split()
STREETS = (
    "High Street|Church Road|Station Road|Victoria Road|Park Avenue|Mill Lane|Green Lane|Kings Road|"
    "Queensway|Manor Drive|The Crescent|Orchard Close|Chapel Street|Albert Terrace|Brook Lane|Willow Way|"
    "Beech Grove|Meadow View|Canal Side|Castle Street|Hawthorn Road|Elm Court|Riverside Walk|Oak Tree Close|"
    "New Street|Market Place|School Lane|Farm Road|Princes Avenue|Bridge Street"
).split("|")
TOWNS = ("Demoford", "Ashby Vale", "Northcombe", "Kingsmere", "Eastwick Green", "Low Harton", "Brackenfield")
SCHOOL_PATTERNS = (
    "{} Primary School|St {} C of E Primary School|{} Academy|{} Community Primary|{} High School|"
    "St {} RC Primary School|{} Infant School|{} Junior School"
).split("|")
SCHOOL_WORDS = "Oakfield Riverside Hillcrest Greenbank Mary's Peter's Brookside Westfield Ashgrove Moorland".split()
GP_NAMES = (
    "Riverside Medical Practice|Demoford Health Centre|Kingsmere Surgery|The Green Practice|Northcombe Family Doctors|"
    "Ashby Vale Medical Centre|Castle Street Surgery|Brackenfield Health Partnership"
).split("|")
SERVICES = (
    ("Children's Social Care", "Social worker"),
    ("Health Visiting", "Health visitor"),
    ("School Nursing", "School nurse"),
    ("Early Help", "Family support worker"),
    ("CAMHS", "Clinician"),
    ("Youth Justice", "Case manager"),
)
ORGANISATIONS = (
    "Demo Borough Council",
    "Demo Community Health NHS Trust",
    "Kingsmere Family Hub",
    "Northcombe Children's Centre",
)


@dataclass(frozen=True)
class DemoFiles:
    children_csv: Path
    involvements_csv: Path
    children: int
    twins_pairs: int


def _phone_landline(rng: random.Random) -> str:
    return f"0113 496 0{rng.randint(0, 999):03d}"


def _phone_mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randint(0, 999):03d}"


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"DB{rng.randint(1, 19)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _forename(rng: random.Random, gender: str) -> str:
    pool = BOY_NAMES if gender == "M" else GIRL_NAMES if gender == "F" else BOY_NAMES + GIRL_NAMES
    first = rng.choice(pool)
    return f"{first} {rng.choice(MIDDLE)}" if rng.random() < 0.3 else first


def _near_twin_name(rng: random.Random, name: str, gender: str) -> str:
    near = {"Aiden": "Aidan", "Aidan": "Aiden", "Sophie": "Sophia", "Sophia": "Sophie", "Isla": "Isla-Rose"}
    first = name.split(" ")[0]
    if first in near and rng.random() < 0.7:
        return near[first]
    other = _forename(rng, gender)
    return other if other != name else other + " Jr"


def _families(rng: random.Random, count: int, today: date) -> Iterator[list[dict[str, str]]]:
    produced = 0
    serial = rng.randint(1_000_000_000, 1_500_000_000)
    schools = [rng.choice(SCHOOL_PATTERNS).format(rng.choice(SCHOOL_WORDS)) for _ in range(40)]
    while produced < count:
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.08:
            surname = f"{surname}-{rng.choice(SURNAMES)}"
        town = rng.choice(TOWNS)
        address1 = f"{rng.randint(1, 240)} {rng.choice(STREETS)}"
        address2 = rng.choice(("", "", "", f"Flat {rng.randint(1, 40)}"))
        postcode = _postcode(rng)
        carer1 = f"{rng.choice(GIRL_NAMES)} {surname}"
        carer2 = f"{rng.choice(BOY_NAMES)} {rng.choice((surname, rng.choice(SURNAMES)))}" if rng.random() < 0.6 else ""
        home = f"{address1}, {town}, {postcode}"
        carer1_phone = _phone_mobile(rng)
        carer2_phone = _phone_mobile(rng) if carer2 else ""
        gp = rng.choice(GP_NAMES)
        gp_code = f"D{rng.randint(81000, 81999)}"
        family: list[dict[str, str]] = []
        size = rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        for index in range(size):
            born = today - timedelta(days=rng.randint(30, 17 * 365 + 300))
            gender = rng.choices(("F", "M", "U"), weights=(49, 49, 2))[0]
            forenames = _forename(rng, gender)
            twin = index == 0 and rng.random() < 0.04
            for twin_index in range(2 if twin else 1):
                serial += 1
                school = rng.choice(schools) if born < today - timedelta(days=4 * 365) else ""
                family.append(
                    {
                        "cp_id": f"CP{serial:010d}",
                        "forenames": forenames if twin_index == 0 else _near_twin_name(rng, forenames, gender),
                        "surname": surname,
                        "former_surnames": rng.choice(SURNAMES) if rng.random() < 0.03 else "",
                        "date_of_birth": born.isoformat(),
                        "gender": gender,
                        "address_line1": address1,
                        "address_line2": address2,
                        "town": town,
                        "postcode": postcode,
                        "school_name": school,
                        "school_urn": str(100000 + schools.index(school) * 37) if school else "",
                        "school_postcode": _postcode(random.Random(school)) if school else "",
                        "gp_practice_name": gp,
                        "gp_practice_code": gp_code,
                        "gp_postcode": _postcode(random.Random(gp)),
                        "carer1_name": carer1,
                        "carer1_relationship": "Mother",
                        "carer1_address": home,
                        "carer1_phone": carer1_phone,
                        "carer2_name": carer2,
                        "carer2_relationship": "Father" if carer2 else "",
                        "carer2_address": home if carer2 else "",
                        "carer2_phone": carer2_phone,
                    }
                )
        produced += len(family)
        yield family


def write_demo_population(folder: Path, children: int, *, today: date, seed: int = 20261125) -> DemoFiles:
    """Write children.csv and involvements.csv with about `children` children (exactly that many)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    children_path = folder / "children.csv"
    involvements_path = folder / "involvements.csv"
    written = 0
    twins = 0
    with (
        children_path.open("w", newline="", encoding="utf-8") as child_file,
        involvements_path.open("w", newline="", encoding="utf-8") as inv_file,
    ):
        child_writer = csv.DictWriter(child_file, fieldnames=CHILD_COLUMNS)
        inv_writer = csv.DictWriter(inv_file, fieldnames=INVOLVEMENT_COLUMNS)
        child_writer.writeheader()
        inv_writer.writeheader()
        for family in _families(rng, children, today):
            if len(family) > 1 and family[0]["date_of_birth"] == family[1]["date_of_birth"]:
                twins += 1
            for row in family:
                if written >= children:
                    break
                child_writer.writerow(row)
                written += 1
                if rng.random() < 0.15:
                    service, role = rng.choice(SERVICES)
                    inv_writer.writerow(
                        {
                            "cp_id": row["cp_id"],
                            "service": service,
                            "practitioner": f"{rng.choice(GIRL_NAMES + BOY_NAMES)} {rng.choice(SURNAMES)}",
                            "role": role,
                            "organisation": rng.choice(ORGANISATIONS),
                            "phone": _phone_landline(rng),
                            "address": f"{rng.randint(1, 90)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                            "postcode": _postcode(rng),
                        }
                    )
            if written >= children:
                break
    return DemoFiles(children_path, involvements_path, written, twins)
