// Accessors over libpq results.
#include "common/pg/pg_result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace llmproxy::common::pg {

void ResultDeleter::operator()(pg_result* r) const { PQclear(r); }

namespace {

const PGresult* at(const QueryResult& q, size_t i) {
  return i < q.results.size() ? q.results[i].get() : nullptr;
}

const PGresult* last(const QueryResult& q) {
  return q.results.empty() ? nullptr : q.results.back().get();
}

bool inRange(const PGresult* r, int row, int col) {
  return r && row >= 0 && col >= 0 && row < PQntuples(r) && col < PQnfields(r);
}

}  // namespace

int QueryResult::rows() const {
  const PGresult* r = last(*this);
  return r ? PQntuples(r) : 0;
}

int QueryResult::columns() const {
  const PGresult* r = last(*this);
  return r ? PQnfields(r) : 0;
}

bool QueryResult::isNull(int row, int col) const { return isNullOf(results.size() - 1, row, col); }

std::string_view QueryResult::value(int row, int col) const {
  return valueOf(results.size() - 1, row, col);
}

long QueryResult::affected() const {
  const PGresult* r = last(*this);
  if (!r) return 0;
  const char* n = PQcmdTuples(const_cast<PGresult*>(r));
  return n && *n ? std::strtol(n, nullptr, 10) : 0;
}

int QueryResult::rowsOf(size_t i) const {
  const PGresult* r = at(*this, i);
  return r ? PQntuples(r) : 0;
}

std::string_view QueryResult::valueOf(size_t i, int row, int col) const {
  const PGresult* r = at(*this, i);
  if (!inRange(r, row, col) || PQgetisnull(r, row, col)) return {};
  return {PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col))};
}

bool QueryResult::isNullOf(size_t i, int row, int col) const {
  const PGresult* r = at(*this, i);
  return !inRange(r, row, col) || PQgetisnull(r, row, col);
}

}  // namespace llmproxy::common::pg
