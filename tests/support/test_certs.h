// TestCerts: a throwaway CA and a "localhost" server certificate made at run time (OpenSSL API).
#pragma once

#include <string>

namespace llmproxy::testing {

// Paths of PEM files written by TestCerts::make into a directory the caller owns (usually a
// TempDir). The leaf certificate is signed by the CA and names DNS:localhost, IP:127.0.0.1 and
// IP:::1 in its subjectAltName, so a client trusting ca_file can verify either name.
struct TestCerts {
  std::string ca_file;    // <dir>/ca.pem: the CA certificate (trust anchor for clients)
  std::string cert_file;  // <dir>/cert.pem: the leaf certificate
  std::string key_file;   // <dir>/key.pem: the leaf's private key (unencrypted)
  bool ok = false;
  std::string error;  // what failed when !ok

  // Generates fresh P-256 keys and certificates (valid from one hour ago for ten years) and
  // writes the three files. Takes a few milliseconds.
  static TestCerts make(const std::string& dir);
};

}  // namespace llmproxy::testing
