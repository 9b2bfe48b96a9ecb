// packet_cipher_buffer.cpp — PacketCipher on kernel pool buffers: in place when the buffer is
// unique, into a new pool buffer when it is shared (copy-on-write, never writing shared bytes).
#include <cstring>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"

namespace net::kernel::crypto {

OpenResult PacketCipher::open(net_buffer_t*& buf, std::size_t ad_len, std::uint64_t counter, BufferPool& pool) noexcept
{
    if (buf == nullptr || buf->len < ad_len || buf->len - ad_len < tag_size) return {NET_E_INVALID_ARGUMENT, 0};
    const std::size_t text_len = buf->len - ad_len - tag_size;
    std::uint8_t* in = buf->data;
    const std::span<const std::uint8_t> ad(in, ad_len);
    const std::uint8_t* tag = in + ad_len + text_len;

    if (BufferPool::is_unique(buf)) {
        const net_status_t st = open_into(ad, in + ad_len, in + ad_len, text_len, tag, counter);
        if (st != NET_OK) return {st, 0};
        BufferPool::set_len(buf, ad_len + text_len);  // cannot fail: unique and shrinking
        return {NET_OK, text_len};
    }

    net_buffer_t* out = pool.allocate(ad_len + text_len);
    if (out == nullptr) return {NET_E_NO_MEMORY, 0};
    const net_status_t st = open_into(ad, in + ad_len, out->data + ad_len, text_len, tag, counter);
    if (st != NET_OK) {
        BufferPool::release(out);
        return {st, 0};
    }
    if (ad_len != 0) std::memcpy(out->data, in, ad_len);
    BufferPool::release(buf);
    buf = out;
    return {NET_OK, text_len};
}

net_status_t PacketCipher::seal(net_buffer_t*& buf, std::size_t ad_len, std::uint64_t counter,
                                BufferPool& pool) noexcept
{
    if (buf == nullptr || buf->len < ad_len || buf->len > max_plaintext) return NET_E_INVALID_ARGUMENT;
    const std::size_t text_len = buf->len - ad_len;
    const std::size_t sealed_len = buf->len + tag_size;
    std::uint8_t* in = buf->data;
    const std::span<const std::uint8_t> ad(in, ad_len);

    if (BufferPool::is_unique(buf) && BufferPool::capacity(buf) >= sealed_len) {
        const net_status_t st = seal_into(ad, in + ad_len, in + ad_len, text_len, in + ad_len + text_len, counter);
        if (st != NET_OK) return st;
        BufferPool::set_len(buf, sealed_len);  // cannot fail: unique and within capacity
        return NET_OK;
    }

    net_buffer_t* out = pool.allocate(sealed_len);
    if (out == nullptr) return NET_E_NO_MEMORY;
    const net_status_t st =
        seal_into(ad, in + ad_len, out->data + ad_len, text_len, out->data + ad_len + text_len, counter);
    if (st != NET_OK) {
        BufferPool::release(out);
        return st;
    }
    if (ad_len != 0) std::memcpy(out->data, in, ad_len);
    BufferPool::release(buf);
    buf = out;
    return NET_OK;
}

}  // namespace net::kernel::crypto
