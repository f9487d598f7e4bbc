// OpenSSL's declarations (Debian's libssl-dev) for kyniem's TLS client, for their types only:
// nothing here is linked. Sources/KyniemTransports/OpenSSL.swift loads libssl.so.3 (and
// libcrypto.so.3) with dlopen(3) the first time a notifier speaks TLS, so commands that never
// do (`upcoming`, `calendar`, `check`, `--version`) do not pay the dynamic loader's relocations
// and symbol lookups for them on every start (docs/dispatch.md has the figures).
//
// Each typedef is the exact type of the function it names, checked by the compiler against
// OpenSSL's headers, so a symbol found by dlsym(3) is called with the header's prototype.
#ifndef KYNIEM_COPENSSL_SHIM_H
#define KYNIEM_COPENSSL_SHIM_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// libssl
typedef __typeof__(TLS_client_method) *kyniem_TLS_client_method;
typedef __typeof__(SSL_CTX_new) *kyniem_SSL_CTX_new;
typedef __typeof__(SSL_CTX_free) *kyniem_SSL_CTX_free;
typedef __typeof__(SSL_CTX_ctrl) *kyniem_SSL_CTX_ctrl;
typedef __typeof__(SSL_CTX_set_default_verify_paths) *kyniem_SSL_CTX_set_default_verify_paths;
typedef __typeof__(SSL_CTX_load_verify_locations) *kyniem_SSL_CTX_load_verify_locations;
typedef __typeof__(SSL_CTX_set_verify) *kyniem_SSL_CTX_set_verify;
typedef __typeof__(SSL_new) *kyniem_SSL_new;
typedef __typeof__(SSL_free) *kyniem_SSL_free;
typedef __typeof__(SSL_ctrl) *kyniem_SSL_ctrl;
typedef __typeof__(SSL_get0_param) *kyniem_SSL_get0_param;
typedef __typeof__(SSL_set_hostflags) *kyniem_SSL_set_hostflags;
typedef __typeof__(SSL_set1_host) *kyniem_SSL_set1_host;
typedef __typeof__(SSL_set_fd) *kyniem_SSL_set_fd;
typedef __typeof__(SSL_connect) *kyniem_SSL_connect;
typedef __typeof__(SSL_get_error) *kyniem_SSL_get_error;
typedef __typeof__(SSL_get_verify_result) *kyniem_SSL_get_verify_result;
typedef __typeof__(SSL_read) *kyniem_SSL_read;
typedef __typeof__(SSL_write) *kyniem_SSL_write;
typedef __typeof__(SSL_shutdown) *kyniem_SSL_shutdown;

// libcrypto
typedef __typeof__(X509_VERIFY_PARAM_set1_ip_asc) *kyniem_X509_VERIFY_PARAM_set1_ip_asc;
typedef __typeof__(X509_verify_cert_error_string) *kyniem_X509_verify_cert_error_string;
typedef __typeof__(ERR_clear_error) *kyniem_ERR_clear_error;
typedef __typeof__(ERR_get_error) *kyniem_ERR_get_error;
typedef __typeof__(ERR_reason_error_string) *kyniem_ERR_reason_error_string;
typedef __typeof__(ERR_error_string_n) *kyniem_ERR_error_string_n;

// Several calls kyniem needs are macros over SSL_ctrl / SSL_CTX_ctrl, which Swift can't import.
// These name them, calling through the loaded SSL_ctrl / SSL_CTX_ctrl so the macros' constants
// still come from OpenSSL's headers.

/// SNI (RFC 6066 §3): the host name the client wants a certificate for.
static inline int kyniem_SSL_set_tlsext_host_name(kyniem_SSL_ctrl SSL_ctrl, SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// TLS 1.2 at least: older versions have known weaknesses and every server kyniem talks to
/// (mail submission, chat webhooks) offers 1.2 or 1.3.
static inline int kyniem_SSL_CTX_set_min_tls12(kyniem_SSL_CTX_ctrl SSL_CTX_ctrl, SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

/// Partial writes, and a retried write whose buffer moved (Swift arrays may move between calls).
static inline long kyniem_SSL_CTX_set_write_modes(kyniem_SSL_CTX_ctrl SSL_CTX_ctrl, SSL_CTX *context) {
    return SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

#endif
