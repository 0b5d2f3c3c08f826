// The cross-protocol translators: a client and a provider that speak different protocols
// (PROTOCOLS.md). The request is read into the internal form, repaired for the provider
// (request_repairs.h) and written in the provider's protocol; the answer is converted back:
// a plain body whole at its end (parse + write, or the provider's error re-wrapped in the
// client's shape), a stream event by event (stream_converter.h).
#pragma once

#include "worker/protocol/translator.h"

namespace llmproxy::worker::protocol {

// The translator from the client's protocol to the provider's, for a pair that differs; null
// when no translator exists for the pair.
const Translator* crossTranslator(Api client, Api provider);

// Reads the client's body as the internal form would, for the refusal before the first
// attempt: a 400 in the client's shape when it cannot be translated (a member of the wrong
// type, content the provider's protocol has no place for). Translator::request then cannot
// fail.
std::optional<common::Error> checkTranslatable(Api client, std::string_view body);

}  // namespace llmproxy::worker::protocol
