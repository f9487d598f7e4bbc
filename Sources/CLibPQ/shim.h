// libpq's declarations (Debian's libpq-dev) for their types only: nothing here is linked. The
// PostgreSQL ledger loads libpq.so.5 with dlopen(3) the first time a `state:` URL needs it, so
// commands that never touch a PostgreSQL ledger do not load libpq and its GSSAPI/LDAP/TLS
// dependencies (docs/dispatch.md: +3.8 MB resident and ~5 ms of CPU on every start when linked).
// Each typedef is the exact type of the function it names, checked by the compiler against
// libpq-fe.h, so a symbol found by dlsym(3) is called with the prototype the header gives.
#ifndef KYNIEM_CLIBPQ_SHIM_H
#define KYNIEM_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>

typedef __typeof__(PQconnectdbParams) *kyniem_PQconnectdbParams;
typedef __typeof__(PQstatus) *kyniem_PQstatus;
typedef __typeof__(PQerrorMessage) *kyniem_PQerrorMessage;
typedef __typeof__(PQfinish) *kyniem_PQfinish;
typedef __typeof__(PQexec) *kyniem_PQexec;
typedef __typeof__(PQexecParams) *kyniem_PQexecParams;
typedef __typeof__(PQresultStatus) *kyniem_PQresultStatus;
typedef __typeof__(PQresultErrorMessage) *kyniem_PQresultErrorMessage;
typedef __typeof__(PQntuples) *kyniem_PQntuples;
typedef __typeof__(PQnfields) *kyniem_PQnfields;
typedef __typeof__(PQgetvalue) *kyniem_PQgetvalue;
typedef __typeof__(PQgetisnull) *kyniem_PQgetisnull;
typedef __typeof__(PQclear) *kyniem_PQclear;

#endif
