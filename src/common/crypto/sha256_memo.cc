// Sha256Memo: a constant-time comparison with the last input, then a hash only on a change.
#include "common/crypto/sha256_memo.h"

#include "common/crypto/ct_equal.h"
#include "common/crypto/sha256.h"

namespace llmproxy::common {

const Sha256& Sha256Memo::digest(std::string_view data) {
  // Constant time in the content: one connection may carry several clients' requests (a proxy
  // in front), so how much of the last key matched must not show in the timing.
  if (valid_ && ctEqual(std::string_view(last_), data)) return digest_;
  digest_ = sha256(data);
  last_.assign(data);
  valid_ = true;
  return digest_;
}

}  // namespace llmproxy::common
