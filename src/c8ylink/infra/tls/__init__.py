"""Keys, certificates, CSRs, PKCS#7 and TLS contexts: the one home of ``cryptography``.

Imports ``core`` only. Other packages never import ``cryptography`` themselves; they use these
modules and the type aliases they export (``PrivateKey``, ``Certificate``, ``CertificateRequest``).

    armor.py     PEM blocks and bare base64/DER bodies -> DER
    keys.py      ECDSA P-256 key generation, PKCS#8 PEM encode/decode
    names.py     distinguished names: build (CN, O, OU, C) and format (``CN=x, O=y``)
    csr.py       PKCS#10 requests: build, PEM/base64 encode, decode any of PEM/base64/DER
    certs.py     self-signed certificates, PEM chains, fingerprints, SANs, a summary (``CertificateInfo``)
    ca.py        a certificate authority: create, issue leaf certificates for CSRs and servers
    chains.py    chain building and verification against trust anchors, leaf-first ordering
    pkcs7.py     PKCS#7 "certs-only" SignedData encode/decode (EST responses)
    contexts.py  ``ssl.SSLContext`` builders for servers (client certs none/optional/required) and clients
    aead.py      AES-256-GCM seal/open (the encrypted secrets of c8y session files)

Errors are ``TlsError`` (keys, certificates, requests) and ``ProtocolError`` (PKCS#7 wire data).
"""
