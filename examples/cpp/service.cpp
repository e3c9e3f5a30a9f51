// The Calculator service of the WCF "Message Security with Mutual Certificates" sample, in C++17:
//
//   service CONFIG SECURED_REQUEST RESPONSE_TEMPLATE SECURED_RESPONSE_OUT
//
// opens the client's secured Add request (decrypts, verifies, enforces the policy), prints what
// the report proves, adds n1 and n2 from the verified Body only, and secures the answer
// (RESPONSE_TEMPLATE with {result} filled in) for the client with the request's exchange state.
// Exit status: 0 success, 1 refused, 2 usage or I/O.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <wsseal.hpp>

namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string &path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

/// The text of the first <name>...</name> in the verified envelope.
std::string element_text(std::string_view xml, const std::string &name) {
    auto open = xml.find("<" + name + ">");
    auto close = xml.find("</" + name + ">");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        throw std::runtime_error("the request has no " + name);
    }
    open += name.size() + 2;
    return std::string(xml.substr(open, close - open));
}

std::string join(const std::vector<std::string> &parts) {
    std::string out;
    for (const auto &part : parts) {
        out += (out.empty() ? "" : ", ") + part;
    }
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 5) {
        std::cerr << "usage: " << argv[0] << " CONFIG SECURED_REQUEST RESPONSE_TEMPLATE SECURED_RESPONSE_OUT\n";
        return 2;
    }
    try {
        wsseal::set_log_handler(
            [](wsseal_log_level level, std::string_view message) {
                std::cerr << "service log[" << level << "] " << message << "\n";
            },
            WSSEAL_LOG_INFO);
        std::cout << "service: libwsseal " << wsseal::version() << "\n";
        const auto engine = wsseal::Engine::from_file(argv[1]);

        auto request = engine.open_request(read_file(argv[2]));
        const auto report = request.report();
        if (!report) {
            throw std::runtime_error("an opened request has a report");
        }
        const auto signer = report->signer();
        std::cout << "service: request signed by " << (signer ? signer->subject : "nobody") << " (SHA-1 "
                  << (signer ? signer->thumbprint_sha1 : "-") << ")\n";
        std::cout << "service: signed parts: " << join(report->signed_parts()) << "\n";
        std::cout << "service: encrypted parts: " << join(report->encrypted_parts()) << "\n";
        std::cout << "service: timestamp created " << report->timestamp_created().value_or("-") << "\n";
        std::cout << "service: report " << report->json() << "\n";

        const std::string_view verified = request.envelope_view();
        const double sum = std::stod(element_text(verified, "n1")) + std::stod(element_text(verified, "n2"));
        std::ostringstream result;
        result << sum;
        std::cout << "service: Add = " << result.str() << "\n";

        std::string response = read_file(argv[3]);
        const auto slot = response.find("{result}");
        if (slot == std::string::npos) {
            throw std::runtime_error("the response template has no {result}");
        }
        response.replace(slot, 8, result.str());
        const auto exchange = request.take_exchange();
        const auto secured = engine.secure_response(response, exchange);
        write_file(argv[4], secured.envelope_view());
        std::cout << "service: response secured (" << secured.envelope_view().size() << " bytes)\n";
        wsseal::set_log_handler(nullptr);
        return 0;
    } catch (const wsseal::Error &e) {
        std::cerr << "service: refused: " << e.what() << " (code " << e.code() << ")\n";
        wsseal::set_log_handler(nullptr);
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "service: " << e.what() << "\n";
        return 2;
    }
}
