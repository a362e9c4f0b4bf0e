"""Build the paired (Latin, Devanagari) name lists the seed draws from.

Run once, when the source lists change, and commit the output::

    python -m himaccess.registry.synthetic.build_names SOURCE_DIR

SOURCE_DIR holds ``names_faker_hi_IN.csv``, ``names_faker_en_IN.csv`` and
``names_himachali_surnames.csv`` (provenance in ``data/names/SOURCES.md``).
The Devanagari given names are romanised with ``lib.transliteration.to_latin``
and checked by hand (``LATIN_FIXES``, ``DROPPED``); Latin-only names are kept
only from a hand-checked allowlist with their Devanagari (``MODERN_GIVEN``),
because rule-based Devanagari loses long vowels (Radhika → "रधिका"). The seed
itself never transliterates.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from himaccess.lib.transliteration import to_latin

OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "names"

# Oddities of Faker's hi_IN lists: wrong gender, not a given name, broken
# vowel signs, or names rare in Himachal.
DROPPED = {
    "आकाङ्क्षा", "अकबर", "ज़स्विन्देर्", "िनशा", "िकशोरी", "काम", "राज्य", "महात्मा", "रावण", "सवितृ",
    "शर्म", "सेठ", "ख़ान", "कम्बोज", "जौहर", "गोपीनाथ", "भरत", "इन्द्रजित", "कैलाश", "क्षितिज",
    "कुमारी", "देवी", "श्री", "बल", "चण्ड", "चन्दना", "इला", "गुलज़ार", "पद्म", "सुमन", "कशोर",
    "गौहर", "रत्नम", "मञ्जुनाथ", "सोहेल", "सिकन्दर", "परवीन", "देवदान", "गोतम", "काली", "मधुर",
}  # fmt: skip
LATIN_FIXES = {
    "Arwind": "Arvind", "Vijya": "Vijaya", "Leelavti": "Leelavati", "Madhwi": "Madhavi",
    "Parwati": "Parvati", "Padmavti": "Padmavati", "Sumti": "Sumati", "Arundhti": "Arundhati",
    "Shreepti": "Shripati", "Soorya": "Surya", "Shantnu": "Shantanu", "Sumna": "Sumana",
    "Rajneekant": "Rajnikant", "Maneender": "Maninder", "Mahender": "Mahender", "Amla": "Amla",
    "Suneeta": "Sunita", "Suneeti": "Suniti", "Seeta": "Sita", "Nitya": "Nitya",
}  # fmt: skip

# Given names common among younger Himachalis, from Faker's en_IN lists,
# with their Devanagari checked by hand.
MODERN_GIVEN = {
    "M": {
        "Aarav": "आरव", "Aayush": "आयुष", "Abhimanyu": "अभिमन्यु", "Aditya": "आदित्य", "Akshay": "अक्षय",
        "Anmol": "अनमोल", "Ansh": "अंश", "Arjun": "अर्जुन", "Aryan": "आर्यन", "Atharv": "अथर्व",
        "Brijesh": "बृजेश", "Chaitanya": "चैतन्य", "Daksh": "दक्ष", "Dev": "देव", "Devansh": "देवांश",
        "Dhruv": "ध्रुव", "Gagan": "गगन", "Gaurav": "गौरव", "Girish": "गिरीश", "Hardik": "हार्दिक",
        "Harsh": "हर्ष", "Hitesh": "हितेश", "Ishaan": "ईशान", "Jatin": "जतिन", "Jeet": "जीत",
        "Kabir": "कबीर", "Karan": "करण", "Krish": "कृष", "Lakshit": "लक्षित", "Maanav": "मानव",
        "Manan": "मनन", "Nakul": "नकुल", "Naveen": "नवीन", "Nitesh": "नितेश", "Parth": "पार्थ",
        "Pranav": "प्रणव", "Rachit": "रचित", "Raghav": "राघव", "Ranveer": "रणवीर", "Rohan": "रोहन",
        "Rudra": "रुद्र", "Saksham": "सक्षम", "Sarthak": "सार्थक", "Shaurya": "शौर्य", "Tanish": "तनिश",
        "Tejas": "तेजस", "Utkarsh": "उत्कर्ष", "Vedant": "वेदांत", "Vihaan": "विहान", "Yash": "यश",
        "Yatin": "यतिन", "Yuvraj": "युवराज", "Abhishek": "अभिषेक", "Ankit": "अंकित", "Ajay": "अजय",
    },
    "F": {
        "Aadhya": "आध्या", "Aarna": "आर्ना", "Alka": "अलका", "Anamika": "अनामिका", "Anika": "अनिका",
        "Anita": "अनीता", "Anjali": "अंजलि", "Avni": "अवनी", "Barkha": "बरखा", "Bhavna": "भावना",
        "Chanchal": "चंचल", "Deepa": "दीपा", "Divya": "दिव्या", "Ekta": "एकता", "Garima": "गरिमा",
        "Gauri": "गौरी", "Geetika": "गीतिका", "Hema": "हेमा", "Isha": "ईशा", "Ishita": "इशिता",
        "Jyoti": "ज्योति", "Kavya": "काव्या", "Kritika": "कृतिका", "Lekha": "लेखा", "Megha": "मेघा",
        "Nandini": "नंदिनी", "Neha": "नेहा", "Nidhi": "निधि", "Nikita": "निकिता", "Pallavi": "पल्लवी",
        "Pooja": "पूजा", "Priya": "प्रिया", "Radhika": "राधिका", "Riya": "रिया", "Saanvi": "सान्वी",
        "Shivani": "शिवानी", "Sneha": "स्नेहा", "Tanvi": "तन्वी", "Tamanna": "तमन्ना", "Unnati": "उन्नति",
        "Urvashi": "उर्वशी", "Vaishnavi": "वैष्णवी", "Vanya": "वान्या", "Varsha": "वर्षा", "Vidhi": "विधि",
        "Yamini": "यामिनी", "Diya": "दिया", "Kashish": "कशिश", "Muskan": "मुस्कान", "Sakshi": "साक्षी",
    },
}  # fmt: skip

# Surnames common in Himachal besides the clan list, with hand-checked
# Devanagari and rough relative weights (how often a family carries them).
COMMON_SURNAMES = {
    "Sharma": ("शर्मा", 10), "Thakur": ("ठाकुर", 10), "Kumar": ("कुमार", 9), "Singh": ("सिंह", 6),
    "Chauhan": ("चौहान", 5), "Verma": ("वर्मा", 4), "Negi": ("नेगी", 4), "Chand": ("चंद", 4),
    "Ram": ("राम", 3), "Rana": ("राणा", 3), "Lal": ("लाल", 2), "Kanwar": ("कंवर", 2),
    "Chandel": ("चंदेल", 2), "Kaushal": ("कौशल", 2), "Dhiman": ("धीमान", 2), "Bhardwaj": ("भारद्वाज", 2),
    "Parmar": ("परमार", 2), "Pal": ("पाल", 1), "Kapoor": ("कपूर", 1), "Gupta": ("गुप्ता", 1),
    "Mehta": ("मेहता", 1), "Bhatia": ("भाटिया", 1), "Malhotra": ("मल्होत्रा", 1), "Joshi": ("जोशी", 1),
    "Awasthi": ("अवस्थी", 1), "Rathore": ("राठौर", 1), "Kashyap": ("कश्यप", 1), "Sen": ("सेन", 1),
    "Bisht": ("बिष्ट", 1), "Rawat": ("रावत", 1), "Kaundal": ("कौंडल", 1), "Minhas": ("मिन्हास", 1),
    "Dadwal": ("डडवाल", 1), "Sankhyan": ("सांख्यान", 1), "Chaudhary": ("चौधरी", 1), "Bhandari": ("भंडारी", 1),
    "Tomar": ("तोमर", 1), "Pundir": ("पुंडीर", 1), "Jaryal": ("जरयाल", 1), "Bodh": ("बोध", 1),
}  # fmt: skip
# Surnames of the tribal districts (Kinnaur, Lahaul and Spiti, Pangi-Bharmour).
TRIBAL_SURNAMES = {"Negi", "Bodh", "Thakur", "Rathi"}
CLAN_WEIGHT = 1.5


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (OUT_DIR / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(source_dir: Path) -> dict[str, int]:
    """Write given_names.csv and surnames.csv; return how many of each."""
    given: dict[tuple[str, str], list[str]] = {}
    for row in _rows(source_dir / "names_faker_hi_IN.csv"):
        kind = {"first_male": "M", "first_female": "F"}.get(row["kind"])
        deva = row["name"].replace("\u200d", "").replace("\u200c", "")
        if kind is None or row["name"] in DROPPED:
            continue
        latin = to_latin(deva)
        latin = LATIN_FIXES.get(latin, latin)
        given.setdefault((kind, latin.lower()), [kind, latin, deva, "classic", "faker hi_IN"])
    for kind, names in MODERN_GIVEN.items():
        for latin, deva in names.items():
            given.setdefault((kind, latin.lower()), [kind, latin, deva, "modern", "faker en_IN"])
    given_rows = sorted(given.values(), key=lambda r: (r[0], r[3], r[1]))
    _write("given_names.csv", ["gender", "latin", "devanagari", "era", "source"], given_rows)

    surnames: dict[str, list[str]] = {}
    for row in _rows(source_dir / "names_himachali_surnames.csv"):
        latin = row["surname_latin"]
        weight = COMMON_SURNAMES.get(latin, ("", CLAN_WEIGHT))[1]
        surnames[latin] = [latin, row["surname_devanagari"], str(weight), "himachali surnames"]
    for latin, (deva, weight) in COMMON_SURNAMES.items():
        surnames.setdefault(latin, [latin, deva, str(weight), "editor"])
    surname_rows = [[*r, "yes" if r[0] in TRIBAL_SURNAMES else ""] for r in sorted(surnames.values())]
    _write("surnames.csv", ["latin", "devanagari", "weight", "source", "tribal"], surname_rows)
    return {"given_names": len(given_rows), "surnames": len(surname_rows)}


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
