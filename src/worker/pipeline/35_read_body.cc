// Stage 35: read the request body, bounded by server.max_body_size. Runs only after
// authentication, so no large body is buffered for an unknown client.
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {

Outcome stage::readBody(Exchange& ex) {
  if (ex.body_complete) return Outcome::Next;
  // The connection resumes its parser; at message end it calls onRequestBody, which
  // resumes the pipeline and re-enters this stage with body_complete set.
  ex.conn.readBody();
  return Outcome::Wait;
}

}  // namespace llmproxy::worker
