# ruff: noqa: E501
# Each text is one DLT-registered template and must stay a single string.
"""The SMS texts schemes sends, in English and Hindi (loaded by a migration; DLT ids are entered in the admin)."""

TEMPLATES = [
    (
        "scheme_offer",
        "A member appears newly eligible for a scheme",
        "{name} may be eligible for {scheme}. See why and apply with one click at {url} - Govt. of HP",
        "{name} {scheme} के लिए पात्र हो सकते हैं। कारण देखें और एक क्लिक में आवेदन करें: {url} - हि.प्र. सरकार",
    ),
    (
        "scheme_review_notice",
        "A benefit is under review because the beneficiary may no longer be eligible",
        "The benefit of {name} under {scheme} is under review. It continues until an officer decides, not before {date}. See why and respond at {url} - Govt. of HP",
        "{scheme} के अंतर्गत {name} के लाभ की समीक्षा हो रही है। अधिकारी के निर्णय तक, और {date} से पहले नहीं, यह जारी रहेगा। कारण देखें और उत्तर दें: {url} - हि.प्र. सरकार",
    ),
    (
        "scheme_enrolment_decided",
        "A decision was taken on a scheme enrolment or review",
        "A decision has been taken on {scheme} for {name} ({reference}). See it at {url} - Govt. of HP",
        "{name} के लिए {scheme} पर निर्णय लिया गया है ({reference})। इसे देखें: {url} - हि.प्र. सरकार",
    ),
]
