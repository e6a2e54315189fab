"""What `tedge cert download c8y` prints before it waits: the generated password, the pre-filled URL."""

from __future__ import annotations

import itertools
import random

from c8ylink.device.c8y.registration import (
    OTP_ALPHABET,
    generate_one_time_password,
    registration_url,
    render_registration,
)


def test_generated_password_is_32_letters_and_digits() -> None:
    otp = generate_one_time_password(random.Random(7).choice)
    assert len(otp) == 32 and all(c in OTP_ALPHABET for c in otp)
    assert OTP_ALPHABET.isalnum()
    counter = itertools.count()
    assert generate_one_time_password(lambda alphabet: alphabet[next(counter)]) == OTP_ALPHABET[:32]


def test_generated_password_is_shown_and_in_the_url() -> None:
    block = render_registration("t.example.com", "dev-1", "S3cretS3cret", shown=True)
    assert block == (
        "Register the device on t.example.com:\n"
        "\n"
        "    device id:          dev-1\n"
        "    one-time password:  S3cretS3cret\n"
        "\n"
        "    Open the following URL to register the device:\n"
        "\n"
        "    https://t.example.com/apps/devicemanagement/index.html#/deviceregistration"
        "?externalId=dev-1&one-time-password=S3cretS3cret\n"
        "\n"
        "Waiting for the device to be registered ..."
    )


def test_a_given_password_is_never_printed() -> None:
    block = render_registration("127.0.0.1:8443", "dev-1", "given-by-operator", shown=False)
    assert "given-by-operator" not in block
    assert "one-time-password=\n" in block + "\n"
    assert "filling in the one-time password" in block
    assert block.startswith("Register the device on 127.0.0.1:8443:")


def test_without_url() -> None:
    block = render_registration("t.example.com", "dev-1", "pw", shown=True, with_url=False)
    assert "https://" not in block and "one-time password:  pw" in block


def test_url_query_is_form_encoded() -> None:
    assert registration_url("h", "a b'(c)", "x=y") == (
        "https://h/apps/devicemanagement/index.html#/deviceregistration?externalId=a+b%27%28c%29&one-time-password=x%3Dy"
    )


def test_chain_header_puts_each_pem_block_on_one_line() -> None:
    from c8ylink.device.c8y.device_auth import encode_chain_header

    first = "-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----\n"
    second = "-----BEGIN CERTIFICATE-----\nCCCC\n-----END CERTIFICATE-----\n"
    assert encode_chain_header([first, second]) == (
        "-----BEGIN CERTIFICATE----- AAAA BBBB -----END CERTIFICATE----- "
        "-----BEGIN CERTIFICATE----- CCCC -----END CERTIFICATE-----"
    )
