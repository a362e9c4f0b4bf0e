"""The only table that holds full Aadhaar numbers, each encrypted.

A row is found by its *reference*, the HMAC-SHA256 of the number under the
vault's reference key: the register and every other table keep that and at
most the last four digits. The number is sealed with AES-256-GCM under the
key named by ``key_id``, with a nonce of its own and the reference as
associated data, so a ciphertext copied onto another row does not decrypt.
Only modules of ``himaccess.vault`` import this module (an import-linter
contract in pyproject.toml).
"""

from __future__ import annotations

from django.db import models


class VaultEntry(models.Model):
    reference = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32)
    nonce = models.BinaryField(max_length=12)
    ciphertext = models.BinaryField(max_length=64)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the row was last sealed (stored, or re-encrypted by a rotation).
    sealed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "vault entry"
        verbose_name_plural = "vault entries"
        indexes = [
            # A rotation walks the rows not yet under the current key, in id order.
            models.Index(fields=["key_id", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="vault_vaultentry_reference_uniq"),
        ]

    def __str__(self) -> str:
        return f"XXXX XXXX {self.last4}"
