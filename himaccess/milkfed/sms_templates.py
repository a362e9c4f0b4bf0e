# ruff: noqa: E501
# Each text is one DLT-registered template and must stay a single string.
"""The SMS texts Milkfed sends, in English and Hindi (loaded by a migration; DLT ids are entered in the admin)."""

TEMPLATES = [
    (
        "milk_statement_paid",
        "A dairy farmer's monthly milk payment was made",
        "Milk payment for {month}: {litres} litres, Rs {amount} paid to the account of {name}. Statement: {url} - Milkfed HP",
        "{month} का दूध भुगतान: {litres} लीटर, रु {amount} {name} के खाते में भेजे गए। विवरण: {url} - मिल्कफ़ेड हि.प्र.",
    ),
]
