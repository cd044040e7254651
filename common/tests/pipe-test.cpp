#include "parlab/pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "parlab/process.hpp"
#include "parlab/testing.hpp"

TEST_CASE("make_pipe carries bytes from a child to the parent and shows end-of-file", "[common][pipe]") {
    parlab::pipe_ends pipe = parlab::make_pipe();
    REQUIRE(pipe.read);
    REQUIRE(pipe.write);
    parlab::process child = parlab::process::start([&] {
        pipe.read.close();
        const char text[] = "hello";
        if (::write(pipe.write.get(), text, 5) != 5) throw std::runtime_error("short write");
    });
    pipe.write.close();
    CHECK_FALSE(pipe.write);
    char buffer[16] = {};
    std::size_t got = 0;
    for (ssize_t n = 1; n > 0 && got < sizeof buffer; got += static_cast<std::size_t>(n > 0 ? n : 0))
        n = ::read(pipe.read.get(), buffer + got, sizeof buffer - got);
    CHECK(std::string(buffer, got) == "hello");  // and then end-of-file: the child ended
    CHECK(child.join().ok());
}

TEST_CASE("unique_fd closes once, moves, and reports a failed close", "[common][pipe]") {
    parlab::pipe_ends pipe = parlab::make_pipe();
    const int fd = pipe.read.get();
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    parlab::unique_fd moved(std::move(pipe.read));
    CHECK_FALSE(pipe.read);
    CHECK(moved.get() == fd);
    moved = parlab::unique_fd();
    CHECK(::fcntl(fd, F_GETFD) == -1);  // closed by the assignment
    parlab::unique_fd stale(::dup(pipe.write.get()));
    const int stale_fd = stale.get();
    ::close(stale_fd);  // behind its back
    CHECK_THROWS_AS(stale.close(), std::system_error);
    CHECK_FALSE(stale);
    CHECK_NOTHROW(stale.close());
}
