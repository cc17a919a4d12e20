// Test support: a real redis-server on a free loopback port, started and
// stopped by the test. With a data directory it keeps an append-only file
// there (fsync on every write), so that a restart finds what was written.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#ifndef PRESEND_REDIS_SERVER
#error "PRESEND_REDIS_SERVER (the redis-server binary) must be defined"
#endif

namespace presend::test {

// A loopback port nothing listens on now (the kernel's choice).
inline int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) ::close(fd);
    return port != 0 ? port : 20000 + static_cast<int>(::getpid() % 20000);
}

class RedisServer {
public:
    explicit RedisServer(std::string data_dir = "", std::vector<std::string> extra = {})
        : port_(free_loopback_port()), dir_(std::move(data_dir)), extra_(std::move(extra)) {
        start();
    }
    ~RedisServer() { stop(); }
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    int port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
    bool running() const { return pid_ > 0; }

    void start() {
        pid_ = ::fork();
        if (pid_ == 0) {
            // Its warnings (memory overcommit and the like) are not the test's output.
            int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) {
                ::dup2(null, 1);
                ::dup2(null, 2);
            }
            std::string port = std::to_string(port_);
            std::vector<std::string> args = {PRESEND_REDIS_SERVER, "--port", port, "--bind", "127.0.0.1",
                                             "--save", "", "--daemonize", "no", "--loglevel", "warning"};
            if (dir_.empty()) {
                args.insert(args.end(), {"--appendonly", "no"});
            } else {
                args.insert(args.end(), {"--dir", dir_, "--appendonly", "yes", "--appendfsync", "always"});
            }
            args.insert(args.end(), extra_.begin(), extra_.end());
            std::vector<char *> argv;
            for (auto &a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(PRESEND_REDIS_SERVER, argv.data());
            ::_exit(127);
        }
        for (int i = 0; i < 250; ++i) {
            redisContext *c = redisConnect("127.0.0.1", port_);
            bool up = c != nullptr && c->err == 0;
            if (up) {
                // Up and done loading its data (a password-protected one
                // answers NOAUTH: up too).
                auto *r = static_cast<redisReply *>(redisCommand(c, "PING"));
                up = r != nullptr && (r->type == REDIS_REPLY_STATUS ||
                                      (r->type == REDIS_REPLY_ERROR && std::string(r->str).rfind("NOAUTH", 0) == 0));
                if (r != nullptr) freeReplyObject(r);
            }
            if (c != nullptr) redisFree(c);
            if (up) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ADD_FAILURE() << "redis-server did not start on port " << port_;
    }

    // SIGKILL: as abrupt as a crash (the append-only file has every write).
    void stop(bool kill = false) {
        if (pid_ <= 0) return;
        ::kill(pid_, kill ? SIGKILL : SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    int port_;
    std::string dir_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

}  // namespace presend::test
