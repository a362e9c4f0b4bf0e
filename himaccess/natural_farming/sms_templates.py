# ruff: noqa: E501
# Each text is one DLT-registered template and must stay a single string.
"""The SMS texts natural farming sends, in English and Hindi (loaded by a migration; DLT ids are entered in the admin)."""

TEMPLATES = [
    (
        "nf_weighment",
        "A natural farmer's produce was weighed at a collection centre",
        "{name}: {kg} kg of {crop} weighed at {centre} (receipt {reference}). Amount due Rs {amount}, paid to your bank account on the register. See {url} - Govt. of HP",
        "{name}: {centre} पर {crop} का {kg} कि.ग्रा. तौला गया (रसीद {reference})। देय राशि ₹{amount}, परिवार रजिस्टर में दर्ज आपके बैंक खाते में दी जाएगी। देखें: {url} - हि.प्र. सरकार",
    ),
    (
        "nf_payment",
        "A natural farmer was paid for produce sold at support prices",
        "{name}: Rs {amount} for your natural farming produce has been sent to bank account {account} (payment {reference}). See {url} - Govt. of HP",
        "{name}: आपकी प्राकृतिक खेती की उपज के ₹{amount} बैंक खाते {account} में भेज दिए गए हैं (भुगतान {reference})। देखें: {url} - हि.प्र. सरकार",
    ),
    (
        "nf_certification",
        "A step in a natural farmer's certification (CETARA-NF)",
        "{name}: your natural farming registration {reference} is now: {status}. See {url} - Govt. of HP",
        "{name}: आपका प्राकृतिक खेती पंजीकरण {reference} अब: {status}। देखें: {url} - हि.प्र. सरकार",
    ),
]
