// Which translator serves a pair of protocols.
#include "worker/protocol/translator.h"

#include "worker/protocol/identity_translator.h"

namespace llmproxy::worker::protocol {

const Translator& translatorFor(Operation, common::ProviderType) {
  return identityTranslator();
}

}  // namespace llmproxy::worker::protocol
