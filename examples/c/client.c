/*
 * The Calculator client of the WCF "Message Security with Mutual Certificates" sample, in C:
 *
 *   client request  CONFIG REQUEST.xml SECURED_REQUEST_OUT STATE_OUT
 *       secures the Add request (signed with the client's key, Body encrypted for the service)
 *       and keeps the exchange state as bytes, for the response;
 *   client response CONFIG SECURED_RESPONSE STATE
 *       opens the service's answer with that state and prints the verified envelope.
 *
 * CONFIG is a wsseal TOML configuration (docs/c-api.md). Exit status: 0 success, 1 refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wsseal.h>

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        return NULL;
    }
    unsigned char *data = NULL;
    size_t size = 0;
    unsigned char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) {
        unsigned char *grown = realloc(data, size + got);
        if (grown == NULL) {
            free(data);
            fclose(file);
            return NULL;
        }
        data = grown;
        memcpy(data + size, chunk, got);
        size += got;
    }
    fclose(file);
    *len = size;
    return data != NULL ? data : malloc(1);
}

static int write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(data, 1, len, file) != len) {
        perror(path);
        if (file != NULL) {
            fclose(file);
        }
        return -1;
    }
    return fclose(file);
}

static int refused(const char *what, wsseal_result rc) {
    fprintf(stderr, "client: %s: %s (%u): %s\n", what, wsseal_result_name(rc), (unsigned)rc,
            wsseal_last_error_message());
    return 1;
}

static void log_to_stderr(void *userdata, wsseal_log_level level, wsseal_str message) {
    fprintf(stderr, "%s[%u] %.*s\n", (const char *)userdata, (unsigned)level, (int)message.len, message.data);
}

/* Secures the request and writes it and the exchange state. */
static int secure_request(const wsseal_engine *engine, const char *request_path, const char *secured_path,
                          const char *state_path) {
    size_t len = 0;
    unsigned char *request = read_file(request_path, &len);
    if (request == NULL) {
        return 1;
    }
    wsseal_outcome *outcome = NULL;
    wsseal_result rc = wsseal_engine_process(engine, WSSEAL_SECURE_REQUEST, request, len, NULL, &outcome);
    free(request);
    if (rc != WSSEAL_OK) {
        return refused("securing the request", rc);
    }
    wsseal_exchange *exchange = NULL;
    wsseal_buffer *state = NULL;
    int status = 1;
    wsseal_bytes secured = wsseal_outcome_envelope(outcome);
    if ((rc = wsseal_outcome_take_exchange(outcome, &exchange)) != WSSEAL_OK) {
        refused("taking the exchange", rc);
    } else if ((rc = wsseal_exchange_to_bytes(exchange, &state)) != WSSEAL_OK) {
        refused("encoding the exchange", rc);
    } else {
        wsseal_bytes bytes = wsseal_buffer_bytes(state);
        if (write_file(secured_path, secured.data, secured.len) == 0 &&
            write_file(state_path, bytes.data, bytes.len) == 0) {
            printf("client: request secured (%zu bytes), exchange state kept (%zu bytes)\n", secured.len, bytes.len);
            status = 0;
        }
    }
    wsseal_buffer_free(state);
    wsseal_exchange_free(exchange);
    wsseal_outcome_free(outcome);
    return status;
}

/* Opens the response with the kept state and prints it. */
static int open_response(const wsseal_engine *engine, const char *secured_path, const char *state_path) {
    size_t response_len = 0, state_len = 0;
    unsigned char *response = read_file(secured_path, &response_len);
    unsigned char *state = read_file(state_path, &state_len);
    int status = 1;
    wsseal_exchange *exchange = NULL;
    wsseal_outcome *outcome = NULL;
    wsseal_result rc;
    if (response == NULL || state == NULL) {
        status = 1;
    } else if ((rc = wsseal_exchange_from_bytes(state, state_len, &exchange)) != WSSEAL_OK) {
        refused("reading the exchange state", rc);
    } else if ((rc = wsseal_engine_process(engine, WSSEAL_OPEN_RESPONSE, response, response_len, exchange,
                                           &outcome)) != WSSEAL_OK) {
        refused("opening the response", rc);
    } else {
        const wsseal_report *report = wsseal_outcome_report(outcome);
        wsseal_signer signer;
        if (wsseal_report_signer(report, &signer)) {
            printf("client: response signed by %.*s\n", (int)signer.subject.len, signer.subject.data);
        }
        wsseal_bytes opened = wsseal_outcome_envelope(outcome);
        printf("client: verified response: %.*s\n", (int)opened.len, (const char *)opened.data);
        status = 0;
    }
    wsseal_outcome_free(outcome);
    wsseal_exchange_free(exchange);
    free(state);
    free(response);
    return status;
}

int main(int argc, char **argv) {
    int secure = argc == 6 && strcmp(argv[1], "request") == 0;
    int open = argc == 5 && strcmp(argv[1], "response") == 0;
    if (!secure && !open) {
        fprintf(stderr, "usage: %s request CONFIG REQUEST SECURED_OUT STATE_OUT\n"
                        "       %s response CONFIG SECURED_RESPONSE STATE\n", argv[0], argv[0]);
        return 2;
    }
    printf("client: libwsseal %s\n", wsseal_version());
    wsseal_set_log_callback(log_to_stderr, "client log", WSSEAL_LOG_INFO);
    wsseal_engine *engine = NULL;
    wsseal_result rc = wsseal_engine_from_file(argv[2], NULL, &engine);
    if (rc != WSSEAL_OK) {
        return refused("loading the configuration", rc);
    }
    int status = secure ? secure_request(engine, argv[3], argv[4], argv[5]) : open_response(engine, argv[3], argv[4]);
    wsseal_engine_free(engine);
    wsseal_set_log_callback(NULL, NULL, WSSEAL_LOG_OFF);
    return status;
}
