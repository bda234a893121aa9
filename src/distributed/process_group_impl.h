// process_group_impl.h — what the collectives need from the process group (process_group.cpp).
#pragma once
#include <mpi.h>

#include <functional>
#include <string>

#include "nabla/distributed/process_group.h"

namespace nabla::distributed::detail {

// Queues `run` on the worker thread (Note [One MPI thread]); `what` names it for the watchdog and for
// errors. run returns "" or an error message, which the Work's wait() throws as a DistributedError.
// ValueError naming `op` when no process group is initialized.
WorkPtr enqueue(const char* op, std::string what, std::function<std::string()> run);
MPI_Comm communicator(const char* op);
// "<what> failed on rank R of N: MPI error <rc>: <MPI's text>".
std::string mpi_error(int rc, const std::string& what);

}  // namespace nabla::distributed::detail
