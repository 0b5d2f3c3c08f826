// TestCerts: build a CA and a leaf certificate with EVP/X509 calls and write them as PEM.
#include "support/test_certs.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace llmproxy::testing {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` named `common_name`, signed by `issuer_key` (self-signed when
// `issuer` is null).
CertPtr makeCert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                 bool is_ca) {
  CertPtr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof(serial_bytes));
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("llmproxy tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));

  bool ok = addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (is_ca) {
    ok = ok && addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
         addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok =
        ok && addExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always") &&
        addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
        addExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
        addExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
        addExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  if (!ok) return nullptr;
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool writePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  bool ok = cert != nullptr
                ? PEM_write_X509(file, cert) == 1
                : PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok = std::fclose(file) == 0 && ok;
  return ok;
}

std::string lastOpensslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

}  // namespace

TestCerts TestCerts::make(const std::string& dir) {
  TestCerts out;
  out.ca_file = dir + "/ca.pem";
  out.cert_file = dir + "/cert.pem";
  out.key_file = dir + "/key.pem";

  KeyPtr ca_key(EVP_EC_gen("P-256"));
  KeyPtr leaf_key(EVP_EC_gen("P-256"));
  if (!ca_key || !leaf_key) {
    out.error = "key generation failed: " + lastOpensslError();
    return out;
  }
  CertPtr ca = makeCert(ca_key.get(), "llmproxy test CA", nullptr, ca_key.get(), true);
  if (!ca) {
    out.error = "CA certificate failed: " + lastOpensslError();
    return out;
  }
  CertPtr leaf = makeCert(leaf_key.get(), "localhost", ca.get(), ca_key.get(), false);
  if (!leaf) {
    out.error = "leaf certificate failed: " + lastOpensslError();
    return out;
  }
  if (!writePem(out.ca_file, ca.get(), nullptr) || !writePem(out.cert_file, leaf.get(), nullptr) ||
      !writePem(out.key_file, nullptr, leaf_key.get())) {
    out.error = "cannot write PEM files into " + dir;
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace llmproxy::testing
