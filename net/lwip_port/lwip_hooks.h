/* The hooks lwIP's DHCP client calls (opt.h: LWIP_HOOK_DHCP_APPEND_OPTIONS,
 * LWIP_HOOK_DHCP_PARSE_OPTION), implemented by net/dhcp.cpp. Included by
 * lwIP's dhcp.c through LWIP_HOOK_FILENAME. */
#ifndef XB_LWIP_HOOKS_H
#define XB_LWIP_HOOKS_H

#include <lwip/arch.h>

#ifdef __cplusplus
extern "C" {
#endif
struct netif;
struct dhcp;
struct dhcp_msg;
struct pbuf;
void xb_dhcp_append_options(struct netif* netif, u8_t msg_type, struct dhcp_msg* msg, u16_t* options_len);
void xb_dhcp_parse_option(struct netif* netif, u8_t option, u8_t len, struct pbuf* p, u16_t offset);
#ifdef __cplusplus
}
#endif

#define LWIP_HOOK_DHCP_APPEND_OPTIONS(netif, dhcp, state, msg, msg_type, options_len_ptr) \
    xb_dhcp_append_options((netif), (msg_type), (msg), (options_len_ptr))
#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf, offset) \
    xb_dhcp_parse_option((netif), (option), (len), (pbuf), (offset))

#endif /* XB_LWIP_HOOKS_H */
