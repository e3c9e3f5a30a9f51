/*
 * Misuse of the C API, each case expecting its result code: NULL pointers, empty and truncated
 * buffers, garbage XML, a response opened with the wrong exchange state, out-of-range values,
 * freeing in every order the API allows, and the Custom certificate validator callbacks.
 *
 *   misuse CLIENT_CONFIG SERVICE_CONFIG REQUEST.xml
 *
 * Prints one line per failed expectation; exits 0 only when every expectation held. Run under
 * valgrind by ffi/tests/examples.rs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wsseal.h>

static int failures = 0;
static int checks = 0;

#define EXPECT(expr, want)                                                                          \
    do {                                                                                            \
        wsseal_result got_ = (expr);                                                                \
        checks++;                                                                                   \
        if (got_ != (wsseal_result)(want)) {                                                        \
            failures++;                                                                             \
            printf("line %d: %s gave %s (%u), expected %s: %s\n", __LINE__, #expr,                  \
                   wsseal_result_name(got_), (unsigned)got_, wsseal_result_name(want),              \
                   wsseal_last_error_message());                                                    \
        }                                                                                           \
    } while (0)

#define EXPECT_TRUE(cond)                                                                           \
    do {                                                                                            \
        checks++;                                                                                   \
        if (!(cond)) {                                                                              \
            failures++;                                                                             \
            printf("line %d: expected %s\n", __LINE__, #cond);                                      \
        }                                                                                           \
    } while (0)

static char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        exit(2);
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) {
        exit(2);
    }
    fclose(file);
    data[size] = '\0';
    *len = (size_t)size;
    return data;
}

static const uint8_t *u8(const char *text) { return (const uint8_t *)text; }

/* Secures `request` as the client; returns the outcome (the caller frees it). */
static wsseal_outcome *secure(const wsseal_engine *client, const char *request, size_t len) {
    wsseal_outcome *outcome = NULL;
    EXPECT(wsseal_engine_process(client, WSSEAL_SECURE_REQUEST, u8(request), len, NULL, &outcome), WSSEAL_OK);
    return outcome;
}

/* A validator whose answer the test sets, counting its calls and its release. */
struct verdict {
    wsseal_result answer;
    int calls;
    int released;
};

static wsseal_result validate(void *userdata, const uint8_t *der, size_t der_len) {
    struct verdict *verdict = userdata;
    verdict->calls++;
    return der != NULL && der_len > 0 ? verdict->answer : WSSEAL_INVALID_ARGUMENT;
}

static void release(void *userdata) { ((struct verdict *)userdata)->released++; }

static void null_arguments(const wsseal_engine *client, const char *request, size_t len) {
    wsseal_engine *engine = (wsseal_engine *)1;
    wsseal_outcome *outcome = (wsseal_outcome *)1;
    EXPECT(wsseal_engine_from_file(NULL, NULL, &engine), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(engine == NULL);
    EXPECT_TRUE(strcmp(wsseal_last_error_message(), "path is NULL") == 0);
    EXPECT(wsseal_engine_from_file("client.toml", NULL, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_engine_from_toml(NULL, 0, NULL, NULL, &engine), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_engine_process(NULL, WSSEAL_SECURE_REQUEST, u8(request), len, NULL, &outcome), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(outcome == NULL);
    EXPECT(wsseal_engine_process(client, WSSEAL_SECURE_REQUEST, NULL, 0, NULL, &outcome), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_engine_process(client, WSSEAL_SECURE_REQUEST, u8(request), len, NULL, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_exchange_from_bytes(NULL, 3, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_exchange_to_bytes(NULL, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_outcome_take_exchange(NULL, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_report_to_json(NULL, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_pool_new(1, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_found_certificate_set(NULL, u8("x"), 1), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_engine_process_batch(client, NULL, WSSEAL_SECURE_REQUEST, NULL, 2, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_engine_process_batch(client, NULL, WSSEAL_SECURE_REQUEST, NULL, 0, NULL), WSSEAL_OK);
    /* Accessors of NULL handles give empty values, and freeing NULL does nothing. */
    EXPECT(wsseal_outcome_code(NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(strcmp(wsseal_outcome_message(NULL), "") == 0);
    EXPECT_TRUE(wsseal_outcome_envelope(NULL).data == NULL && wsseal_outcome_envelope(NULL).len == 0);
    EXPECT_TRUE(wsseal_outcome_report(NULL) == NULL);
    EXPECT_TRUE(wsseal_report_signed_count(NULL) == 0 && wsseal_report_signed_part(NULL, 0).data == NULL);
    EXPECT_TRUE(wsseal_report_encrypted_count(NULL) == 0 && wsseal_report_message_id(NULL).data == NULL);
    EXPECT_TRUE(!wsseal_report_signer(NULL, NULL) && wsseal_report_timestamp_created(NULL).data == NULL);
    EXPECT_TRUE(wsseal_buffer_bytes(NULL).len == 0);
    wsseal_engine_free(NULL);
    wsseal_outcome_free(NULL);
    wsseal_exchange_free(NULL);
    wsseal_buffer_free(NULL);
    wsseal_pool_free(NULL);
}

/* The sidecar client without a sidecar: a missing socket, NULL arguments, NULL handles. */
static void sidecar_client(void) {
    const char *missing = "/nonexistent/wsseal-misuse.sock";
    wsseal_sidecar *client = (wsseal_sidecar *)1;
    EXPECT(wsseal_sidecar_connect(u8(missing), strlen(missing), &client), WSSEAL_SIDECAR_CONNECTION);
    EXPECT_TRUE(client == NULL);
    EXPECT_TRUE(strstr(wsseal_last_error_message(), missing) != NULL);
    EXPECT(wsseal_sidecar_connect(NULL, 0, &client), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_sidecar_connect(u8(missing), strlen(missing), NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_sidecar_ping(NULL), WSSEAL_NULL_ARGUMENT);
    wsseal_sidecar_result *result = (wsseal_sidecar_result *)1;
    wsseal_sidecar_item item = {u8("<e/>"), 4, NULL, 0};
    EXPECT(wsseal_sidecar_process(NULL, WSSEAL_SECURE_REQUEST, &item, 1, &result), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(result == NULL);
    EXPECT(wsseal_sidecar_process(NULL, WSSEAL_SECURE_REQUEST, &item, 1, NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_sidecar_result_code(NULL), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(strcmp(wsseal_sidecar_result_message(NULL), "") == 0);
    EXPECT_TRUE(wsseal_sidecar_result_envelope(NULL).data == NULL && wsseal_sidecar_result_token(NULL).len == 0);
    EXPECT_TRUE(wsseal_sidecar_result_report_json(NULL).data == NULL);
    wsseal_sidecar_result_free(NULL);
    wsseal_sidecar_free(NULL);
}

static void bad_values(const wsseal_engine *client, const char *request, size_t len) {
    wsseal_outcome *outcome = NULL;
    wsseal_engine *engine = NULL;
    EXPECT(wsseal_engine_process(client, 99, u8(request), len, NULL, &outcome), WSSEAL_INVALID_ARGUMENT);
    EXPECT(wsseal_engine_process(client, WSSEAL_SECURE_REQUEST, u8(request), (size_t)PTRDIFF_MAX + 1, NULL, &outcome),
           WSSEAL_INVALID_ARGUMENT);
    EXPECT(wsseal_set_log_callback(NULL, NULL, 42), WSSEAL_INVALID_ARGUMENT);
    EXPECT(wsseal_engine_from_toml(u8("\xff\xfe"), 2, NULL, NULL, &engine), WSSEAL_INVALID_UTF8);
    EXPECT(wsseal_engine_from_toml(u8("[policy]\nsuite = \"Basic512\"\n"), 28, NULL, NULL, &engine),
           WSSEAL_CONFIG_INVALID);
    EXPECT(wsseal_engine_from_file("/nonexistent/wsseal.toml", NULL, &engine), WSSEAL_CONFIG_INVALID);
    EXPECT_TRUE(engine == NULL);
    EXPECT_TRUE(strcmp(wsseal_result_name(12345), "UNKNOWN") == 0);
    EXPECT_TRUE(strcmp(wsseal_result_name(WSSEAL_DECRYPTION_FAILED), "DECRYPTION_FAILED") == 0);
}

static void bad_envelopes(const wsseal_engine *client, const wsseal_engine *service, const char *request, size_t len) {
    wsseal_outcome *outcome = NULL;
    /* Empty, garbage, not UTF-8, not SOAP, and unsecured. */
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, u8(""), 0, NULL, &outcome), WSSEAL_XML_MALFORMED);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, u8("<<<garbage>"), 11, NULL, &outcome),
           WSSEAL_XML_MALFORMED);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, u8("<a>\xff</a>"), 8, NULL, &outcome),
           WSSEAL_XML_ENCODING);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, u8("<a/>"), 4, NULL, &outcome), WSSEAL_SOAP_STRUCTURE);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, u8(request), len, NULL, &outcome),
           WSSEAL_SECURITY_HEADER_MISSING);
    EXPECT_TRUE(outcome == NULL);
    EXPECT_TRUE(strlen(wsseal_last_error_message()) > 0);

    /* A secured request cut in half. */
    wsseal_outcome *secured = secure(client, request, len);
    wsseal_bytes bytes = wsseal_outcome_envelope(secured);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, bytes.data, bytes.len / 2, NULL, &outcome),
           WSSEAL_XML_MALFORMED);
    /* The exchange state: given where none belongs, missing where one is needed. */
    wsseal_exchange *exchange = NULL, *again = (wsseal_exchange *)1;
    EXPECT(wsseal_outcome_take_exchange(secured, &exchange), WSSEAL_OK);
    EXPECT(wsseal_outcome_take_exchange(secured, &again), WSSEAL_INVALID_ARGUMENT);
    EXPECT_TRUE(again == NULL);
    wsseal_outcome_free(secured);
    wsseal_exchange_free(exchange); /* after its outcome: allowed */
}

static void exchange_states(const wsseal_engine *client, const wsseal_engine *service, const char *request,
                            size_t len) {
    /* Two requests with different MessageIDs; the response to the first opened with the state
       of the second. */
    char *other = malloc(len + 1);
    if (other == NULL) {
        exit(2);
    }
    memcpy(other, request, len + 1);
    char *id = strstr(other, "urn:uuid:");
    if (id == NULL) {
        printf("the request has no urn:uuid MessageID\n");
        exit(2);
    }
    id[9] = id[9] == 'f' ? 'e' : 'f';
    wsseal_outcome *first = secure(client, request, len);
    wsseal_outcome *second = secure(client, other, len);
    wsseal_exchange *first_state = NULL, *second_state = NULL, *service_state = NULL;
    EXPECT(wsseal_outcome_take_exchange(first, &first_state), WSSEAL_OK);
    EXPECT(wsseal_outcome_take_exchange(second, &second_state), WSSEAL_OK);

    wsseal_outcome *opened = NULL, *response = NULL, *answer = NULL;
    wsseal_bytes bytes = wsseal_outcome_envelope(first);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, bytes.data, bytes.len, first_state, &opened),
           WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, bytes.data, bytes.len, NULL, &opened), WSSEAL_OK);
    EXPECT(wsseal_outcome_take_exchange(opened, &service_state), WSSEAL_OK);
    const char *answer_xml =
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:RelatesTo>"
        "urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11</a:RelatesTo></s:Header><s:Body>"
        "<AddResponse xmlns=\"http://Microsoft.ServiceModel.Samples\"><AddResult>115.99</AddResult>"
        "</AddResponse></s:Body></s:Envelope>";
    EXPECT(wsseal_engine_process(service, WSSEAL_SECURE_RESPONSE, u8(answer_xml), strlen(answer_xml), NULL,
                                 &response),
           WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_engine_process(service, WSSEAL_SECURE_RESPONSE, u8(answer_xml), strlen(answer_xml),
                                 service_state, &response),
           WSSEAL_OK);
    bytes = wsseal_outcome_envelope(response);
    EXPECT(wsseal_engine_process(client, WSSEAL_OPEN_RESPONSE, bytes.data, bytes.len, NULL, &answer),
           WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_engine_process(client, WSSEAL_OPEN_RESPONSE, bytes.data, bytes.len, second_state, &answer),
           WSSEAL_RESPONSE_MISMATCH);
    EXPECT_TRUE(answer == NULL);

    /* A state cut short or empty is refused; the full one round-trips and opens the response. */
    wsseal_buffer *encoded = NULL;
    wsseal_exchange *decoded = NULL;
    EXPECT(wsseal_exchange_to_bytes(first_state, &encoded), WSSEAL_OK);
    wsseal_bytes state = wsseal_buffer_bytes(encoded);
    EXPECT(wsseal_exchange_from_bytes(state.data, state.len - 1, &decoded), WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_exchange_from_bytes(state.data, 0, &decoded), WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_exchange_from_bytes(u8("garbage"), 7, &decoded), WSSEAL_EXCHANGE_INVALID);
    EXPECT(wsseal_exchange_from_bytes(state.data, state.len, &decoded), WSSEAL_OK);
    /* Freeing in any order: the engine's outcomes and exchanges do not depend on each other. */
    wsseal_buffer_free(encoded);
    wsseal_outcome_free(opened);
    wsseal_outcome_free(first);
    EXPECT(wsseal_engine_process(client, WSSEAL_OPEN_RESPONSE, bytes.data, bytes.len, decoded, &answer), WSSEAL_OK);
    const wsseal_report *report = wsseal_outcome_report(answer);
    EXPECT_TRUE(report != NULL && wsseal_report_signed_count(report) >= 2);
    EXPECT_TRUE(wsseal_report_signed_part(report, 1000).data == NULL);
    wsseal_exchange_free(decoded);
    wsseal_exchange_free(first_state);
    wsseal_outcome_free(response);
    wsseal_exchange_free(service_state);
    wsseal_outcome_free(answer);
    wsseal_exchange_free(second_state);
    wsseal_outcome_free(second);
    free(other);
}

static void batches(const wsseal_engine *client, const wsseal_engine *service, const char *request, size_t len) {
    wsseal_outcome *secured = secure(client, request, len);
    wsseal_bytes bytes = wsseal_outcome_envelope(secured);
    wsseal_batch_item items[3] = {
        {bytes.data, bytes.len, NULL},
        {NULL, 0, NULL},
        {u8("<junk"), 5, NULL},
    };
    wsseal_outcome *outcomes[3] = {NULL, NULL, NULL};
    wsseal_pool *pool = NULL;
    EXPECT(wsseal_pool_new(2, &pool), WSSEAL_OK);
    EXPECT(wsseal_engine_process_batch(service, pool, 77, items, 3, outcomes), WSSEAL_INVALID_ARGUMENT);
    EXPECT_TRUE(outcomes[0] == NULL && outcomes[2] == NULL);
    EXPECT(wsseal_engine_process_batch(service, pool, WSSEAL_OPEN_REQUEST, items, 3, outcomes), WSSEAL_OK);
    wsseal_pool_free(pool); /* before the outcomes: allowed */
    EXPECT(wsseal_outcome_code(outcomes[0]), WSSEAL_OK);
    EXPECT(wsseal_outcome_code(outcomes[1]), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_outcome_code(outcomes[2]), WSSEAL_XML_MALFORMED);
    EXPECT_TRUE(strlen(wsseal_outcome_message(outcomes[2])) > 0 && wsseal_outcome_envelope(outcomes[2]).len == 0);
    wsseal_exchange *none = NULL;
    EXPECT(wsseal_outcome_take_exchange(outcomes[2], &none), WSSEAL_INVALID_ARGUMENT);
    for (int i = 0; i < 3; i++) {
        wsseal_outcome_free(outcomes[i]);
    }
    wsseal_outcome_free(secured);
}

static void custom_validator(const char *service_config, const wsseal_engine *client, const char *request,
                             size_t len) {
    struct verdict verdict = {WSSEAL_SIGNER_UNTRUSTED, 0, 0};
    wsseal_certificate_validator callbacks = {&verdict, NULL, NULL, release, NULL};
    wsseal_engine *service = NULL;
    EXPECT(wsseal_engine_from_file(service_config, &callbacks, &service), WSSEAL_NULL_ARGUMENT);
    EXPECT_TRUE(verdict.released == 1);
    callbacks.validate = validate;
    EXPECT(wsseal_engine_from_file(service_config, &callbacks, &service), WSSEAL_OK);

    wsseal_outcome *secured = secure(client, request, len);
    wsseal_bytes bytes = wsseal_outcome_envelope(secured);
    wsseal_outcome *opened = NULL;
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, bytes.data, bytes.len, NULL, &opened),
           WSSEAL_SIGNER_UNTRUSTED);
    EXPECT_TRUE(verdict.calls == 1);
    verdict.answer = WSSEAL_OK;
    EXPECT(wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, bytes.data, bytes.len, NULL, &opened), WSSEAL_OK);
    EXPECT_TRUE(verdict.calls == 2);
    wsseal_engine_free(service); /* before its outcome: allowed */
    EXPECT_TRUE(verdict.released == 2);
    wsseal_signer signer;
    EXPECT_TRUE(wsseal_report_signer(wsseal_outcome_report(opened), &signer) && signer.subject.len > 0);
    wsseal_outcome_free(opened);
    wsseal_outcome_free(secured);
}

static void identities(void) {
    size_t len = 0;
    char *pem = read_file("service.pem", &len); /* CN=Contoso.com, no subjectAltName */
    const char *dns = "<identity><dns value=\"contoso.com\"/></identity>";
    const char *other = "<dns value=\"fabrikam.com\"/>";
    const char *spn = "<servicePrincipalName value=\"host/contoso\"/>";
    EXPECT(wsseal_identity_check(u8(pem), len, u8(dns), strlen(dns)), WSSEAL_OK);
    EXPECT(wsseal_identity_check(u8(pem), len, u8(other), strlen(other)), WSSEAL_IDENTITY_MISMATCH);
    EXPECT_TRUE(strstr(wsseal_last_error_message(), "fabrikam.com") != NULL);
    EXPECT(wsseal_identity_check(u8(pem), len, u8(spn), strlen(spn)), WSSEAL_IDENTITY_UNSATISFIABLE);
    EXPECT(wsseal_identity_check(u8(pem), len, u8("<dns"), 4), WSSEAL_IDENTITY_INVALID);
    EXPECT(wsseal_identity_check(u8(pem), 10, u8(dns), strlen(dns)), WSSEAL_CREDENTIAL_INVALID);
    EXPECT(wsseal_identity_check(NULL, 0, u8(dns), strlen(dns)), WSSEAL_NULL_ARGUMENT);
    EXPECT(wsseal_identity_check(u8(pem), len, NULL, 0), WSSEAL_NULL_ARGUMENT);
    free(pem);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s CLIENT_CONFIG SERVICE_CONFIG REQUEST\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *request = read_file(argv[3], &len);
    wsseal_engine *client = NULL, *service = NULL;
    EXPECT(wsseal_engine_from_file(argv[1], NULL, &client), WSSEAL_OK);
    EXPECT(wsseal_engine_from_file(argv[2], NULL, &service), WSSEAL_OK);
    if (client == NULL || service == NULL) {
        return 1;
    }
    null_arguments(client, request, len);
    sidecar_client();
    bad_values(client, request, len);
    bad_envelopes(client, service, request, len);
    exchange_states(client, service, request, len);
    batches(client, service, request, len);
    custom_validator(argv[2], client, request, len);
    identities();
    wsseal_engine_free(service);
    wsseal_engine_free(client);
    free(request);
    printf("misuse: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
