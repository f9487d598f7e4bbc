// OpenSSL for kyniem's TLS client (Sources/KyniemTransports/TLSStream.swift).
//
// Several calls kyniem needs are macros over SSL_ctrl / SSL_CTX_ctrl, which Swift can't
// import; the static inline functions below give them names Swift can call.
#ifndef KYNIEM_COPENSSL_SHIM_H
#define KYNIEM_COPENSSL_SHIM_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// SNI (RFC 6066 §3): the host name the client wants a certificate for.
static inline int kyniem_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// TLS 1.2 at least: older versions have known weaknesses and every server kyniem talks to
/// (mail submission, chat webhooks) offers 1.2 or 1.3.
static inline int kyniem_SSL_CTX_set_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

/// Partial writes, and a retried write whose buffer moved (Swift arrays may move between calls).
static inline long kyniem_SSL_CTX_set_write_modes(SSL_CTX *context) {
    return SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

#endif
