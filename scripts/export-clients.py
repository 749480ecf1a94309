#!/usr/bin/env python3
"""Compares the requests the official Python clients build from `casebook export`'s files with
the requests README.md tells an operator to send with curl (`--data-binary @FILE`: the file's
bytes as they are). No OpenSearch or Meilisearch server is involved: each client's transport is
replaced by one that records method, path, content type and body, and answers 200.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install opensearch-py meilisearch
    casebook export --format opensearch --out cases.ndjson --settings index.json
    casebook export --format meilisearch --out cases.json --settings settings.json
    /tmp/venv/bin/python scripts/export-clients.py DIR      # the folder holding those four files

Needs the network once, for pip; not part of `cargo test` (which runs offline). Exits 1 when a
request differs.
"""
import json
import pathlib
import sys

INDEX = "casebook"
folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
failures = []


def same(what, got, want):
    ok = got == want
    print(("same   " if ok else "DIFFER ") + what)
    if not ok:
        failures.append(what)


# ---- OpenSearch: what README says (PUT /casebook with index.json, POST /casebook/_bulk with
# cases.ndjson as application/x-ndjson).
import opensearchpy
from opensearchpy.connection import Connection

sent = []


class Recorder(Connection):
    def perform_request(self, method, url, params=None, body=None, timeout=None, ignore=(), headers=None):
        sent.append((method, url, {**{k.lower(): v for k, v in self.headers.items()}, **(headers or {})}, body))
        return 200, {}, "{}"


client = opensearchpy.OpenSearch(hosts=["localhost:9200"], connection_class=Recorder)
bulk = (folder / "cases.ndjson").read_bytes()
index_body = (folder / "index.json").read_bytes()
client.indices.create(index=INDEX, body=json.loads(index_body))
client.bulk(body=bulk.decode("utf-8"), index=INDEX)
(m1, u1, _, b1), (m2, u2, h2, b2) = sent
same("opensearch create index: PUT /casebook", (m1, u1), ("PUT", "/" + INDEX))
same("opensearch create index: body is index.json (as JSON)", json.loads(b1), json.loads(index_body))
same("opensearch bulk: POST /casebook/_bulk", (m2, u2), ("POST", "/%s/_bulk" % INDEX))
body2 = b2 if isinstance(b2, bytes) else b2.encode("utf-8")
same("opensearch bulk: body is cases.ndjson byte for byte", body2, bulk)
# The content type is the one difference, and not one OpenSearch minds: its docs (and README)
# send a bulk body as application/x-ndjson; opensearch-py sends its connection's default.
print("note   opensearch bulk: README sends application/x-ndjson, the client %s (OpenSearch takes both)"
      % h2.get("content-type"))

# ---- Meilisearch: POST /indexes, PATCH /indexes/casebook/settings with settings.json,
# POST /indexes/casebook/documents?primaryKey=id with cases.json as application/json.
import meilisearch
import requests

calls = []


class Answer:
    status_code = 202
    content = b'{"taskUid":0,"indexUid":"casebook","status":"enqueued","type":"x","enqueuedAt":"2026-01-01T00:00:00.000000Z"}'

    def raise_for_status(self):
        pass

    def json(self):
        return json.loads(self.content)


def recorder(name):
    def send(url, timeout=None, headers=None, data=None):
        calls.append((name.upper(), url, dict(headers or {}), data))
        return Answer()

    send.__name__ = name
    return send


for name in ["post", "patch", "put"]:
    setattr(requests, name, recorder(name))
meili = meilisearch.Client("http://localhost:7700")
documents = (folder / "cases.json").read_bytes()
settings = (folder / "settings.json").read_bytes()
meili.create_index(INDEX, {"primaryKey": "id"})
meili.index(INDEX).update_settings(json.loads(settings))
meili.index(INDEX).add_documents_raw(documents, primary_key="id", content_type="application/json")
(c1, c2, c3) = calls
same("meilisearch create index: POST /indexes", (c1[0], c1[1]), ("POST", "http://localhost:7700/indexes"))
same("meilisearch create index: body", json.loads(c1[3]), {"uid": INDEX, "primaryKey": "id"})
same("meilisearch settings: PATCH /indexes/casebook/settings", (c2[0], c2[1]), ("PATCH", "http://localhost:7700/indexes/%s/settings" % INDEX))
same("meilisearch settings: body is settings.json (as JSON)", json.loads(c2[3]), json.loads(settings))
same("meilisearch documents: POST /indexes/casebook/documents?primaryKey=id", (c3[0], c3[1]), ("POST", "http://localhost:7700/indexes/%s/documents?primaryKey=id" % INDEX))
same("meilisearch documents: body is cases.json byte for byte", c3[3], documents)
same("meilisearch documents: content type", c3[2].get("Content-Type"), "application/json")

print("%d difference(s)" % len(failures))
sys.exit(1 if failures else 0)
