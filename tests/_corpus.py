"""A tiny corpus written on the fly, for sensor and pipeline tests."""

import json
from pathlib import Path

from rag_eval_assets.lib.documents import METADATA_FILENAME

DOCS = {
    "notes/vpn.txt": ("The VPN gateway supports IKEv2 with AES-256 and rotates keys every 8 hours.", "vpn_gateway"),
    "notes/billing.txt": ("Invoices are issued on the first business day of each month in EUR or USD.", "invoicing"),
    "notes/storage.md": ("# Object storage\n\nBuckets keep 30 versions of each object by default.", "object_storage"),
    "guides/sso.txt": ("Single sign-on accepts SAML 2.0 assertions signed with SHA-256.", "sso"),
}


def write_corpus(root: Path, docs: dict = DOCS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for rel, (text, product) in docs.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        rows.append({"path": rel, "title": rel, "tenant": "acme", "locale": "en-US", "product": product,
                     "doc_class": "text_multilingual", "version": "v2.0", "current": True, "permitted": True})
    (root / METADATA_FILENAME).write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return root
